import { describe, expect, it } from "vitest";
import { createTestBucket, testConfig, testLogger } from "../testing.ts";
import { createObjectStore } from "./s3.ts";

describe("S3 client against the native MinIO", () => {
  const cfg = testConfig();

  it("puts, lists and reads back objects in a fresh bucket", async () => {
    const { store, remove } = await createTestBucket("it");
    expect((await store.health()).ok).toBe(true);
    await store.ensureBucket(); // idempotent

    const body = Buffer.from("symbol,close\nAAPL,1.5\n");
    await store.put("raw/asset=equity/symbol=AAPL/date=2020-01-02/part-0.csv", body, { "content-type": "text/csv" });
    await store.put("raw/asset=equity/symbol=MSFT/date=2020-01-02/part-0.csv", Buffer.from("x"));
    await store.put("other/file.txt", Buffer.from("y"));

    expect(await store.list("raw/asset=equity/")).toEqual([
      "raw/asset=equity/symbol=AAPL/date=2020-01-02/part-0.csv",
      "raw/asset=equity/symbol=MSFT/date=2020-01-02/part-0.csv",
    ]);
    expect((await store.get("raw/asset=equity/symbol=AAPL/date=2020-01-02/part-0.csv")).equals(body)).toBe(true);
    expect(await store.exists("other/file.txt")).toBe(true);
    expect(await store.exists("other/missing.txt")).toBe(false);
    await remove();
  });

  it("fails health with wrong credentials", async () => {
    const store = createObjectStore(
      {
        endpoint: cfg.S3_ENDPOINT,
        accessKey: "nobody",
        secretKey: "wrong-secret",
        bucket: "quant",
        region: "us-east-1",
      },
      testLogger,
    );
    expect((await store.health()).ok).toBe(false);
  });
});
