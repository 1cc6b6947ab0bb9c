// Runs once, when the mongo container starts on an empty data volume
// (mounted into /docker-entrypoint-initdb.d by deploy/compose.yaml).
// Creates the least-privileged user rtc-server connects as: readWrite on
// its own database (which includes creating the indexes it needs).
const dbName = process.env.RTC_MONGODB_DB || "rtc";
db.getSiblingDB(dbName).createUser({
  user: "rtc",
  pwd: process.env.MONGO_RTC_PASSWORD,
  roles: [{ role: "readWrite", db: dbName }],
});
