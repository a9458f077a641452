// The API's user (MONGO_API_USER / MONGO_API_PASSWORD in MONGODB_DB), as services/api/mongo-init creates it on
// MongoDB, minus the role: FerretDB 1.24 has no roles. Waits up to 60 s for FerretDB to answer.
import { MongoClient } from "mongodb";

const env = process.env;
const user = env.MONGO_API_USER || "quant_api";
const password = env.MONGO_API_PASSWORD;
const dbName = env.MONGODB_DB || env.MONGO_INITDB_DATABASE || "quant";
const root = `mongodb://${encodeURIComponent(env.MONGO_INITDB_ROOT_USERNAME)}:${encodeURIComponent(env.MONGO_INITDB_ROOT_PASSWORD)}@127.0.0.1:27017/?authSource=admin`;

const deadline = Date.now() + 60_000;
let client;
for (;;) {
  try {
    client = await new MongoClient(root, { serverSelectionTimeoutMS: 2_000 }).connect();
    await client.db("admin").command({ ping: 1 });
    break;
  } catch (err) {
    await client?.close();
    if (Date.now() > deadline) throw err;
    await new Promise((r) => setTimeout(r, 500));
  }
}
try {
  if (!password) {
    console.log("ferretdb init: MONGO_API_PASSWORD is not set; no API user created");
  } else {
    const db = client.db(dbName);
    const { users } = await db.command({ usersInfo: user });
    if (users.length > 0) {
      await db.command({ updateUser: user, pwd: password });
      console.log(`ferretdb init: updated ${user} (${dbName})`);
    } else {
      await db.command({ createUser: user, pwd: password, roles: [] });
      console.log(`ferretdb init: created ${user} (${dbName})`);
    }
  }
} finally {
  await client.close();
}
