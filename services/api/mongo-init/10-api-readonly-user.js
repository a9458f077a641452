// Creates the API's read-only MongoDB user. Run once by the official mongo image's entrypoint on an empty data
// volume (mounted into /docker-entrypoint-initdb.d), as the root user, with MONGO_API_USER / MONGO_API_PASSWORD
// and MONGODB_DB in the container's environment. For an existing volume run it by hand:
//   docker compose exec -e MONGO_API_USER -e MONGO_API_PASSWORD mongodb \
//     mongosh -u "$MONGO_ROOT_USER" -p "$MONGO_ROOT_PASSWORD" --authenticationDatabase admin /docker-entrypoint-initdb.d/10-api-readonly-user.js
const user = process.env.MONGO_API_USER || "quant_api";
const password = process.env.MONGO_API_PASSWORD;
const dbName = process.env.MONGODB_DB || process.env.MONGO_INITDB_DATABASE || "quant";
if (!password) {
  print("10-api-readonly-user: MONGO_API_PASSWORD is not set; no API user created");
} else {
  const target = db.getSiblingDB(dbName);
  if (target.getUser(user)) {
    target.updateUser(user, { pwd: password, roles: [{ role: "read", db: dbName }] });
    print(`10-api-readonly-user: updated ${user} (read on ${dbName})`);
  } else {
    target.createUser({ user, pwd: password, roles: [{ role: "read", db: dbName }] });
    print(`10-api-readonly-user: created ${user} (read on ${dbName})`);
  }
}
