/**
 * The users of a directory CSV (the one `strowger users import` reads, header
 * `extension,ddi,name,organisation,site,class,password`) as the benchmark needs
 * them: extension and plaintext password, in file order.
 */
import { readFileSync } from "node:fs";
import { parseCsv } from "../../src/pbx/directory/csv.js";

export interface BenchUser {
  readonly extension: string;
  readonly password: string;
}

export function readUsersCsv(file: string): BenchUser[] {
  const [header, ...rows] = parseCsv(readFileSync(file, "utf8"));
  if (header === undefined) throw new Error(`${file}: empty`);
  const column = (name: string) => {
    const i = header.fields.indexOf(name);
    if (i < 0) throw new Error(`${file}: no "${name}" column in the header`);
    return i;
  };
  const ext = column("extension");
  const pw = column("password");
  return rows.map((row) => {
    const extension = row.fields[ext] ?? "";
    const password = row.fields[pw] ?? "";
    if (extension === "" || password === "") throw new Error(`${file}:${row.line}: extension and password are needed`);
    return { extension, password };
  });
}
