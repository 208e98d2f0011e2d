import { describe, expect, it } from "vitest";
import { CsvSyntaxError, formatCsvRow, parseCsv } from "./csv.js";

describe("CSV (RFC 4180)", () => {
  it("reads quoted fields with commas, quotes and line breaks, and keeps each row's line", () => {
    const rows = parseCsv('a,b\r\n"x, y","say ""hi"""\r\n"two\nlines",z\n');
    expect(rows).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["x, y", 'say "hi"'] },
      { line: 3, fields: ["two\nlines", "z"] },
    ]);
  });

  it("skips blank lines and a byte-order mark, and keeps a last line without a line end", () => {
    expect(parseCsv("\ufeffa,b\n\nc,d").map((r) => [r.line, r.fields])).toEqual([
      [1, ["a", "b"]],
      [3, ["c", "d"]],
    ]);
  });

  it("refuses an unterminated quote with the line it started on", () => {
    expect(() => parseCsv('a\n"open,b\nc')).toThrow(CsvSyntaxError);
    try {
      parseCsv('a\n"open,b\nc');
    } catch (err) {
      expect((err as CsvSyntaxError).line).toBe(2);
    }
  });

  it("writes what it reads", () => {
    const fields = ["2001", "Reception, Stafford", 'a "b"', ""];
    expect(parseCsv(formatCsvRow(fields))[0]!.fields).toEqual(fields);
  });
});
