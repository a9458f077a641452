// Healthcheck: an authenticated ping as the root user.
import { MongoClient } from "mongodb";

const env = process.env;
const uri = `mongodb://${encodeURIComponent(env.MONGO_INITDB_ROOT_USERNAME)}:${encodeURIComponent(env.MONGO_INITDB_ROOT_PASSWORD)}@127.0.0.1:27017/?authSource=admin`;
const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3_000 });
try {
  await client.connect();
  const { ok } = await client.db("admin").command({ ping: 1 });
  process.exit(ok === 1 ? 0 : 1);
} catch {
  process.exit(1);
}
