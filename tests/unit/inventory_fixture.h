/* A hand-written scan document in the contract's shape, shared by the inventory and
 * retention unit tests (owner: inventory). Times are fixed so results are exact. */
#ifndef TEST_INVENTORY_FIXTURE_H
#define TEST_INVENTORY_FIXTURE_H
#define FIXTURE_DOC \
"{\"tool\":{\"name\":\"faceaudit\",\"version\":\"0.1.0\"},\n" \
" \"scan\":{\"id\":\"t1\",\"started_at\":\"2025-07-01T00:00:00Z\",\"finished_at\":\"2025-07-01T00:01:00Z\",\n" \
"          \"targets\":[\"corpus\",\"s3://acme-faces/kiosk\"],\"complete\":true},\n" \
" \"objects\":[\n" \
"  {\"location\":{\"target\":\"corpus\",\"path\":\"corpus/uploads/2024/a.jpg\",\"uri\":\"file:///abs/corpus/uploads/2024/a.jpg\",\"members\":[]},\"size\":1000,\"mtime\":\"2024-01-10T00:00:00Z\",\"type\":\"image/jpeg\",\"etag\":null,\"encryption\":null},\n" \
"  {\"location\":{\"target\":\"corpus\",\"path\":\"corpus/uploads/b c.jpg\",\"uri\":\"file:///abs/corpus/uploads/b%20c.jpg\"},\"size\":2000,\"mtime\":\"2025-06-01T00:00:00Z\",\"type\":\"image/jpeg\"},\n" \
"  {\"location\":{\"target\":\"corpus\",\"path\":\"corpus/uploads/clean.txt\"},\"size\":10,\"mtime\":\"2025-06-01T00:00:00Z\",\"type\":\"text/plain\"},\n" \
"  {\"location\":{\"target\":\"corpus\",\"path\":\"corpus/backups/old.zip\",\"uri\":\"file:///abs/corpus/backups/old.zip\"},\"size\":5000,\"mtime\":\"2023-01-01T00:00:00Z\",\"type\":\"application/zip\"},\n" \
"  {\"location\":{\"target\":\"corpus\",\"path\":\"corpus/backups/old.zip\",\"uri\":\"file:///abs/corpus/backups/old.zip\",\"members\":[\"faces/c.jpg\"]},\"size\":3000,\"mtime\":\"2022-05-05T00:00:00Z\",\"type\":\"image/jpeg\"},\n" \
"  {\"location\":{\"target\":\"corpus\",\"path\":\"corpus/logs/app.log\",\"uri\":\"file:///abs/corpus/logs/app.log\"},\"size\":400,\"mtime\":\"2025-01-01T00:00:00Z\",\"type\":\"text/plain\"},\n" \
"  {\"location\":{\"target\":\"s3://acme-faces/kiosk\",\"path\":\"s3://acme-faces/kiosk/2024/x.jpg\",\"uri\":\"s3://acme-faces/kiosk/2024/x.jpg\"},\"size\":100,\"mtime\":\"2024-02-01T00:00:00Z\",\"type\":\"image/jpeg\",\"encryption\":\"AES256\"}\n" \
" ],\n" \
" \"findings\":[\n" \
"  {\"rule_id\":\"face.image.cascade\",\"category\":\"face_image\",\"severity\":\"high\",\"confidence\":0.9,\"message\":\"m\",\"location\":{\"target\":\"corpus\",\"path\":\"corpus/uploads/2024/a.jpg\",\"members\":[],\"line\":null},\"evidence\":{\"sha256\":\"aa\",\"faces\":2},\"fingerprint\":\"f1\"},\n" \
"  {\"rule_id\":\"face.image.cascade\",\"category\":\"face_image\",\"severity\":\"high\",\"location\":{\"target\":\"corpus\",\"path\":\"corpus/uploads/b c.jpg\"},\"evidence\":{\"sha256\":\"bb\"},\"fingerprint\":\"f2\"},\n" \
"  {\"rule_id\":\"face.image.cascade\",\"category\":\"face_image\",\"severity\":\"high\",\"location\":{\"target\":\"corpus\",\"path\":\"corpus/backups/old.zip\",\"uri\":\"file:///abs/corpus/backups/old.zip\",\"members\":[\"faces/c.jpg\"]},\"evidence\":{\"sha256\":\"cc\",\"faces\":3},\"fingerprint\":\"f3\"},\n" \
"  {\"rule_id\":\"vendor.faceplusplus\",\"category\":\"vendor_endpoint\",\"severity\":\"medium\",\"location\":{\"target\":\"corpus\",\"path\":\"corpus/logs/app.log\",\"line\":3},\"evidence\":{\"sha256\":\"dd\",\"host\":\"api-us.faceplusplus.com\",\"scheme\":\"http\",\"vendor\":\"Face++\",\"timestamp\":\"2025-01-02T10:00:00Z\"},\"fingerprint\":\"f4\"},\n" \
"  {\"rule_id\":\"vendor.faceplusplus\",\"category\":\"vendor_endpoint\",\"severity\":\"medium\",\"location\":{\"target\":\"corpus\",\"path\":\"corpus/logs/app.log\",\"line\":7},\"evidence\":{\"sha256\":\"dd\",\"host\":\"api-us.faceplusplus.com\",\"scheme\":\"http\",\"vendor\":\"Face++\",\"timestamp\":\"03/Jan/2025:11:00:00 +0000\"},\"fingerprint\":\"f4\"},\n" \
"  {\"rule_id\":\"face.template.vector\",\"category\":\"face_template\",\"severity\":\"critical\",\"location\":{\"target\":\"corpus\",\"path\":\"corpus/logs/app.log\",\"line\":9},\"evidence\":{\"sha256\":\"ee\",\"count\":5,\"dim\":128},\"fingerprint\":\"f5\"},\n" \
"  {\"rule_id\":\"face.image.cascade\",\"category\":\"face_image\",\"severity\":\"high\",\"location\":{\"target\":\"s3://acme-faces/kiosk\",\"path\":\"s3://acme-faces/kiosk/2024/x.jpg\",\"uri\":\"s3://acme-faces/kiosk/2024/x.jpg\"},\"evidence\":{\"sha256\":\"ff\",\"faces\":1},\"fingerprint\":\"f6\"}\n" \
" ],\n" \
" \"errors\":[],\"limits\":[],\n" \
" \"buckets\":[{\"bucket\":\"acme-faces\",\"public_access_block\":false,\"policy_public\":true,\"acl_public\":false,\n" \
"   \"encryption\":\"none\",\"versioning\":\"Enabled\",\"lifecycle\":[{\"prefix\":\"kiosk/\",\"expiration_days\":400}]}],\n" \
" \"stats\":{\"objects\":7,\"bytes\":11510,\"findings\":7,\"seconds\":0.1}}\n"
#endif
