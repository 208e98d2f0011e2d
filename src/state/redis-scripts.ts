import { LuaScript } from "./lua-script.js";

/**
 * The Lua scripts of the Redis store. Each takes the node's clock reading as an
 * argument and compares it with an expiry kept in the value, so both nodes decide
 * "expired" by the same rule as the memory store; the PEXPIRE they set (a grace period
 * later) only reclaims memory.
 */

/**
 * Compare-and-set of one AOR's bindings, with the expiry indexes kept in step, as a Lua
 * function of `a`, where its arguments start.
 * KEYS: 1 the AOR's key, 2 the binding index, 3 the AOR index.
 * ARGV (from a + 1): 1 "1" if the key was read present, else "0"; 2 the value read;
 *       3 the new value, "" to delete the key; 4 the key's TTL in ms;
 *       5 the AOR's latest expiresAt; 6 the AOR (its member in the AOR index);
 *       7 prune index entries scored below this; 8 R, the number of binding members
 *       to remove; then R members; then (expiresAt, member) pairs to add, to the end.
 * Returns 1 when written, 0 when the key changed since it was read.
 */
const CAS_BINDINGS = `
local function casBindings(a)
  local current = redis.call('GET', KEYS[1])
  if ARGV[a + 1] == '1' then
    if current ~= ARGV[a + 2] then return 0 end
  elseif current then
    return 0
  end
  if ARGV[a + 3] == '' then
    redis.call('DEL', KEYS[1])
    redis.call('ZREM', KEYS[3], ARGV[a + 6])
  else
    redis.call('SET', KEYS[1], ARGV[a + 3], 'PX', ARGV[a + 4])
    redis.call('ZADD', KEYS[3], ARGV[a + 5], ARGV[a + 6])
  end
  local removed = tonumber(ARGV[a + 8])
  for i = a + 9, a + 8 + removed do
    redis.call('ZREM', KEYS[2], ARGV[i])
  end
  for i = a + 9 + removed, #ARGV, 2 do
    redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1])
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[a + 7])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[a + 7])
  return 1
end
`;

/**
 * A request's credentials check (`checkCredentials`), as a Lua function of `first`, its
 * first key, and `a`, where its arguments start: uses the nonce count, if one is given,
 * and reads the blocks. A nonce count is accepted only if greater than the last
 * accepted, while that is unexpired (RFC 7616 §3.4); it is used whether or not a key is
 * blocked.
 * KEYS (from first): the block keys, then (when ARGV a + 2 is not "") the nonce's key, last.
 * ARGV (from a + 1): 1 now, 2 nc or "" for none, 3 the nonce state's new expiresAt, 4 its key TTL ms.
 * Returns { fresh, block... }: fresh 1 accepted, 0 a replay, -1 none asked; then each
 * block key's value, false when it has none. The node decides whether each block is
 * still on, by the same rule as `blockedUntil`.
 */
const CHECK_CREDENTIALS = `
local function checkCredentials(first, a)
  local last = #KEYS
  local fresh = -1
  if ARGV[a + 2] ~= '' then
    local nonce = KEYS[last]
    last = last - 1
    local seen = redis.call('HMGET', nonce, 'nc', 'expiresAt')
    if seen[1] and tonumber(ARGV[a + 1]) < tonumber(seen[2]) and tonumber(ARGV[a + 2]) <= tonumber(seen[1]) then
      fresh = 0
    else
      redis.call('HSET', nonce, 'nc', ARGV[a + 2], 'expiresAt', ARGV[a + 3])
      redis.call('PEXPIRE', nonce, ARGV[a + 4])
      fresh = 1
    end
  end
  local reply = { fresh }
  for i = first, last do
    reply[#reply + 1] = redis.call('GET', KEYS[i])
  end
  return reply
end
`;

/** Compare-and-set of one AOR's bindings (`CAS_BINDINGS`, arguments from 1). */
export const casBindings = new LuaScript(CAS_BINDINGS + "return casBindings(0)");

/** The credentials check (`CHECK_CREDENTIALS`, keys and arguments from 1). */
export const checkCredentials = new LuaScript(CHECK_CREDENTIALS + "return checkCredentials(1, 0)");

/**
 * A REGISTER's store command (`updateBindings` with credentials): the credentials check,
 * then, only when no key is blocked (a block ending at T is over at T, as `blockedUntil`
 * decides) and the nonce count was accepted, the compare-and-set.
 * KEYS: 1-3 as casBindings, then the credentials check's. ARGV: 1-4 the credentials
 * check's, then casBindings'.
 * Returns { written, fresh, block... }: written 1, 0 (the key changed since it was read)
 * or -1 (the credentials refused, nothing written); then as checkCredentials.
 */
export const casBindingsIfCredentials = new LuaScript(
  CAS_BINDINGS +
    CHECK_CREDENTIALS +
    `
local reply = checkCredentials(4, 0)
local passed = reply[1] == 1
local now = tonumber(ARGV[1])
for i = 2, #reply do
  local untilMs = tonumber(reply[i])
  if untilMs and now < untilMs then passed = false end
end
table.insert(reply, 1, passed and casBindings(4) or -1)
return reply
`,
);

/**
 * Counts a failure in the key's window, opening a new window when the last has ended.
 * KEYS: 1 the failures key. ARGV: 1 now, 2 the end of a window opened now, 3 key TTL ms.
 * Returns the count in the window.
 */
export const recordFailure = new LuaScript(`
local window = redis.call('HMGET', KEYS[1], 'count', 'windowEndsAt')
if window[1] and tonumber(ARGV[1]) < tonumber(window[2]) then
  return redis.call('HINCRBY', KEYS[1], 'count', 1)
end
redis.call('HSET', KEYS[1], 'count', 1, 'windowEndsAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`);

/**
 * Sets a block unless a longer one is in place: a block only grows, so two nodes
 * blocking the same key at once keep the longer.
 * KEYS: 1 the block key. ARGV: 1 the block's end, 2 key TTL ms.
 */
export const extendBlock = new LuaScript(`
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if current >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

/**
 * Stores a dialog (or replaces the one with its id) and indexes it by expiry. The key's
 * TTL only grows: the hash may hold another dialog of the Call-ID that lasts longer.
 * KEYS: 1 the Call-ID's dialog hash, 2 the dialog index.
 * ARGV: 1 the caller's tag (the field), 2 the dialog's JSON, 3 its expiresAt,
 *       4 its id (the index member), 5 the key's TTL in ms, 6 prune index entries
 *       scored below this.
 */
export const putDialog = new LuaScript(`
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[5]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[6])
return 1
`);

/**
 * Compare-and-set of one dialog, for a refresh: writes only if the field still holds
 * what was read, and never brings back a dialog that has ended.
 * KEYS: as `putDialog`. ARGV: 1 the caller's tag, 2 the value read, 3 the new value,
 *       4 the new expiresAt, 5 the dialog's id, 6 the key's TTL in ms.
 * Returns 1 when written, 0 when the value changed since it was read, -1 when it is gone.
 */
export const replaceDialog = new LuaScript(`
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return -1 end
if current ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[6]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
return 1
`);

/**
 * Removes a dialog and returns it, in one step: of two nodes ending one dialog at once,
 * one gets the value and the other nil. HDEL of the last field deletes the hash.
 * KEYS: as `putDialog`. ARGV: 1 the caller's tag, 2 the dialog's id, 3 "" or a time:
 * end it only if its expiresAt (its score in the index) is at or before it.
 */
export const endDialog = new LuaScript(`
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return false end
if ARGV[3] ~= '' then
  local expiresAt = redis.call('ZSCORE', KEYS[2], ARGV[2])
  if not expiresAt or tonumber(expiresAt) > tonumber(ARGV[3]) then return false end
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return current
`);

/**
 * Adds a call record to the sorted set (a member already there, the same record
 * appended again, stays one) and trims to the retention.
 * KEYS: 1 the call records set. ARGV: 1 the record's endedAt, 2 its JSON,
 *       3 drop records that ended at or before this ("" for no age limit),
 *       4 keep at most this many ("" for no count limit).
 * Returns 1 when added, 0 when it was already there.
 */
export const appendCallRecord = new LuaScript(`
local added = redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
end
if ARGV[4] ~= '' then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[4]) + 1))
end
return added
`);
