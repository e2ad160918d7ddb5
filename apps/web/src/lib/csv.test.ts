import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

describe("toCsv", () => {
  it("starts with a BOM, ends every line with CRLF, keeps Vietnamese as UTF-8", () => {
    const csv = toCsv(["Cơ sở", "Số"], [["Trung tâm Điều dưỡng người có công", 12]]);
    expect(csv).toBe("\uFEFFCơ sở,Số\r\nTrung tâm Điều dưỡng người có công,12\r\n");
    expect(new TextEncoder().encode(csv).slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
  });

  it("quotes commas, quotes, line breaks and edge spaces (RFC 4180); empty for null", () => {
    expect(toCsv(["a", "b", "c", "d", "e"], [['Bệnh viện "A", tỉnh', "dòng 1\ndòng 2", " x", null, undefined]])).toBe(
      '\uFEFFa,b,c,d,e\r\n"Bệnh viện ""A"", tỉnh","dòng 1\ndòng 2"," x",,\r\n',
    );
  });

  it("numbers as numbers (negative too); text a spreadsheet would run as a formula is defused", () => {
    expect(toCsv(["n"], [[-5], [12.5], [Number.NaN]])).toBe("\uFEFFn\r\n-5\r\n12.5\r\n\r\n");
    expect(toCsv(["t"], [["=HYPERLINK(1)"], ["+1"], ["-x"], ["@a"]])).toBe("\uFEFFt\r\n'=HYPERLINK(1)\r\n'+1\r\n'-x\r\n'@a\r\n");
  });

  it("a table with no rows is its header", () => {
    expect(toCsv(["a", "b"], [])).toBe("\uFEFFa,b\r\n");
  });
});
