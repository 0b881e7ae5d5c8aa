//! Raw incoming messages kept as files (`inbound.raw_directory`): each one once, under its
//! SHA-256, before its row is written; read back from there when it is assigned; a directory
//! that cannot be written stores nothing and says why.

use foitrack::store::inbound::{self as store, Raw};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::TestDb;
use crate::inbound::{renamed, world_with};
use crate::on_both_backends;

async fn raw_messages_are_kept_as_files_named_by_their_hash(db: &TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("raw");
    let root_setting = root.display().to_string();
    let w = world_with(db, move |s| s.inbound.raw_directory = root_setting).await;
    let file_of = |raw: &[u8]| {
        let sha = hex::encode(Sha256::digest(raw));
        root.join(&sha[..2]).join(format!("{sha}.eml"))
    };

    let reply = w.expand("response_plain.eml");
    let first = w.deliver(reply.clone()).await;
    assert_eq!(first.status, 202, "{}", first.body);
    assert_eq!(std::fs::read(file_of(&reply)).unwrap(), reply);
    let id = first.body["id"].as_i64().unwrap();
    let mut conn = w.app.service.db().conn().unwrap();
    assert!(
        matches!(store::raw(&mut conn, id).unwrap(), Raw::InDirectory { .. }),
        "the database keeps no copy"
    );
    drop(conn);
    let again = w.deliver(reply.clone()).await;
    assert_eq!(again.body["outcome"], "duplicate");
    let files: usize = std::fs::read_dir(&root)
        .unwrap()
        .map(|d| std::fs::read_dir(d.unwrap().path()).unwrap().count())
        .sum();
    assert_eq!(files, 1, "one file for one message, however often it comes");

    // Assigning reads the message again, from its file.
    let waiting = w.expand("unmatched.eml");
    let pen = w.deliver(waiting.clone()).await.body["id"].as_i64().unwrap();
    let assign = json!({"request_id": w.ids[0]});
    let assigned = w.app.post(&format!("/api/v1/holding-pen/{pen}/assign"), &assign).await;
    assert_eq!(assigned.ok()["id"], pen);

    // A file gone missing is reported, and the message waits where it was.
    let lost = renamed(w.expand("unmatched.eml"), "lost");
    let lost_id = w.deliver(lost.clone()).await.body["id"].as_i64().unwrap();
    std::fs::remove_file(file_of(&lost)).unwrap();
    let refused = w.app.post(&format!("/api/v1/holding-pen/{lost_id}/assign"), &assign).await;
    assert!(refused.problem(503, "unavailable").contains("could not be read"), "{}", refused.body);
    assert_eq!(w.app.get("/api/v1/holding-pen").await.ok()["items"][0]["id"], lost_id);

    // A directory that cannot be written: nothing is stored, and the sender is told to retry.
    std::fs::remove_dir_all(&root).unwrap();
    std::fs::write(&root, b"a file where the directory should be").unwrap();
    let blocked = w.deliver(renamed(w.expand("unmatched.eml"), "blocked")).await;
    assert!(blocked.problem(503, "unavailable").contains("could not be kept"), "{}", blocked.body);
    assert_eq!(w.app.get("/api/v1/holding-pen").await.ok()["total"], 1, "only the lost one waits");
    w.app.stop().await;
}
on_both_backends!(raw_messages_are_kept_as_files_named_by_their_hash);
