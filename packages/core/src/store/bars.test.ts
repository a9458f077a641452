import { BAR_METRIC_FIELDS, type BarMetrics, type BarWarm } from "@quant/indicators";
import { describe, expect, it } from "vitest";
import { sampleBar } from "../testing.ts";
import { barDocumentDifferences, documentsToWrite, sameBarDocument, toBarDocument } from "./bars.ts";

const bar = sampleBar();
const values = Object.fromEntries(BAR_METRIC_FIELDS.map((f, i) => [f, i + 0.5])) as unknown as BarMetrics;
const warm = Object.fromEntries(BAR_METRIC_FIELDS.map((f) => [f, true])) as unknown as BarWarm;
const doc = toBarDocument(bar, values, warm, new Date("2024-01-02T21:00:01Z"));

describe("barDocumentDifferences", () => {
  it("ignores provenance times: the same content computed later is the same document", () => {
    const later = { ...doc, processedTs: new Date("2025-01-01T00:00:00Z"), ingestTs: new Date(0) };
    expect(barDocumentDifferences(doc, later)).toEqual([]);
    expect(sameBarDocument(doc, later)).toBe(true);
  });

  it("names each differing metric, warm flag and bar field, with both values", () => {
    const [first] = BAR_METRIC_FIELDS;
    const other = {
      ...doc,
      close: 11.5,
      [first]: null,
      warm: { ...doc.warm, [first]: false },
      ts: new Date("2024-01-03T14:30:00Z"),
    };
    expect(barDocumentDifferences(doc, other)).toEqual([
      { field: "ts", stored: "2024-01-02T14:30:00.000Z", computed: "2024-01-03T14:30:00.000Z" },
      { field: "close", stored: 11, computed: 11.5 },
      { field: first, stored: 0.5, computed: null },
      { field: `warm.${first}`, stored: true, computed: false },
    ]);
    expect(sameBarDocument(doc, other)).toBe(false);
  });
});

describe("documentsToWrite (the unchanged-document rule of the stream's rebuilds and of the batch)", () => {
  it("writes what is missing or differs, provenance (source) included, and leaves equal documents alone", () => {
    const later = { ...doc, processedTs: new Date("2030-01-01T00:00:00Z") };
    const other = { ...doc, _id: "AAPL|1d|2024-01-03T14:30:00Z", ts: new Date("2024-01-03T14:30:00Z") };
    const resourced = { ...later, source: "yahoo" as const };
    expect(documentsToWrite([later, other], [doc])).toEqual({ missing: [other], differing: [], unchanged: 1 });
    expect(documentsToWrite([resourced], [doc])).toEqual({ missing: [], differing: [resourced], unchanged: 0 });
    expect(barDocumentDifferences(doc, resourced)).toEqual([
      { field: "source", stored: "synthetic", computed: "yahoo" },
    ]);
  });
});
