/**
 * Random bytes for tags, branches and nonces, drawn from the system CSPRNG in 4 KiB
 * blocks. A registration avalanche asks for several small random values per
 * request, and each `randomBytes(n)` call costs a round into the C++ layer: under
 * load that was a tenth of the node's CPU. The bytes are as random; they are
 * simply fetched in bulk.
 */
import { randomFillSync } from "node:crypto";

const POOL = Buffer.alloc(4096);
let offset = POOL.length;

/** Copies `length` (at most 4096) fresh random bytes into `target` at `at`. */
export function fillRandom(target: Buffer, at: number, length: number): void {
  if (offset + length > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  POOL.copy(target, at, offset, offset + length);
  // Used bytes are zeroed so that nothing keeps a copy of a value once handed out.
  POOL.fill(0, offset, offset + length);
  offset += length;
}

export function randomBuffer(length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  fillRandom(out, 0, length);
  return out;
}
