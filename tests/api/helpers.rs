//! The test harness: a real server on port 0 over a fresh database, SQLite or PostgreSQL.

use std::net::TcpListener;

use actix_web::dev::ServerHandle;
use diesel::{Connection, PgConnection, RunQueryDsl};
use foitrack::app::App;
use foitrack::config::{ServerSettings, Settings};
use foitrack::domain::vocab::Role;
use foitrack::service::Service;
use serde_json::Value;

pub const ODS_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/nhs-trusts-etr.csv");

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Self { url, _dir: Some(dir), drop_pg: None }
    }

    /// A fresh PostgreSQL database, or `None` (with a note why) when the tests are not pointed
    /// at a server.
    pub fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("FOITRACK_TEST_DATABASE_URL") else {
            eprintln!(
                "skipped on PostgreSQL: set FOITRACK_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run it"
            );
            return None;
        };
        let name = format!("foitrack_test_{}", rand_suffix());
        let mut admin =
            PgConnection::establish(&admin_url).expect("FOITRACK_TEST_DATABASE_URL must reach PostgreSQL");
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create test database");
        let base =
            admin_url.rsplit_once('/').map(|(b, _)| b.to_string()).expect("database URL with a /dbname");
        Some(Self { url: format!("{base}/{name}"), _dir: None, drop_pg: Some((admin_url, name)) })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = &self.drop_pg
            && let Ok(mut admin) = PgConnection::establish(admin_url)
        {
            let _ =
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
        }
    }
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("{}_{}", std::process::id(), nanos % 1_000_000_000_000)
}

/// Declares `mod NAME { sqlite, postgres }` tests that run the async fn `NAME(&TestDb)`.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[actix_rt::test]
            async fn sqlite() {
                let db = $crate::helpers::TestDb::sqlite();
                super::$name(&db).await;
            }

            #[actix_rt::test]
            async fn postgres() {
                if let Some(db) = $crate::helpers::TestDb::postgres() {
                    super::$name(&db).await;
                }
            }
        }
    };
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// An administrator's token.
    pub token: String,
    pub service: Service,
    handle: ServerHandle,
}

pub fn server_settings() -> ServerSettings {
    ServerSettings {
        listen: "127.0.0.1:0".into(),
        json_limit_bytes: 65536,
        upload_limit_bytes: 1_000_000,
        workers: 2,
        concurrent_imports: 2,
        import_wait_seconds: 30,
        secure_cookies: false,
        public_url: String::new(),
    }
}

/// The settings production would load (defaults, then the environment), over `db`.
pub fn settings(db: &TestDb) -> Settings {
    let mut settings = Settings::load_with(None, Some(&db.url)).expect("the default settings load");
    settings.database.pool_size = 4;
    settings.server = server_settings();
    // The test harness is not foitrack: attachments are read by the real program.
    settings.extraction.program = env!("CARGO_BIN_EXE_foitrack").into();
    settings
}

/// With `TEST_LOG=1`, the service's log lines (at `RUST_LOG`'s level, or info) go to the test's
/// output, which the test runner shows for failing tests; without it the tests are silent.
fn init_test_logging() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some_and(|v| !v.is_empty() && v != "0") {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
        }
    });
}

/// Starts the real server on a free port over `db`, built as `serve` builds it
/// ([`App::build`]), with an admin user `admin@example.org`.
pub async fn spawn_app(db: &TestDb) -> TestApp {
    spawn_app_with(db, |_| {}).await
}

/// As [`spawn_app`], with settings changed by `adjust` first.
pub async fn spawn_app_with(db: &TestDb, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    init_test_logging();
    let mut settings = settings(db);
    adjust(&mut settings);
    let app = App::build(settings).expect("the app builds");
    let service = app.service().clone();
    let token = if service.needs_first_user().unwrap() {
        service.add_user(None, "admin@example.org", "Admin", Role::Admin, None).unwrap().token.token
    } else {
        service
            .create_token(None, Some("admin@example.org"), Some("restart"), &Default::default())
            .unwrap()
            .token
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = app.http_server(listener).unwrap();
    let handle = server.handle();
    actix_rt::spawn(server);
    TestApp { base, client: reqwest::Client::new(), token, service, handle }
}

pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

impl Reply {
    /// Asserts a problem response with this status and `type` slug; returns its detail.
    pub fn problem(&self, status: u16, slug: &str) -> String {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        assert_eq!(self.content_type, "application/problem+json", "body: {}", self.body);
        assert_eq!(self.body["type"], format!("urn:foitrack:problem:{slug}"), "body: {}", self.body);
        assert_eq!(self.body["status"], status);
        let detail = self.body["detail"].as_str().expect("a detail").to_string();
        assert!(!detail.is_empty());
        detail
    }

    pub fn ok(&self) -> &Value {
        assert!((200..300).contains(&self.status), "expected success, got {}: {}", self.status, self.body);
        &self.body
    }
}

impl TestApp {
    pub async fn stop(self) {
        self.handle.stop(true).await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A response read as a [`Reply`], for requests a test builds itself.
    pub async fn reply_of(response: reqwest::Response) -> Reply {
        Self::reply(response).await
    }

    async fn reply(response: reqwest::Response) -> Reply {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Reply { status, content_type, body }
    }

    pub async fn get_as(&self, token: &str, path: &str) -> Reply {
        Self::reply(self.client.get(self.url(path)).bearer_auth(token).send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.get_as(&self.token, path).await
    }

    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> Reply {
        Self::reply(self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.unwrap())
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.post_as(&self.token, path, body).await
    }

    /// Posts raw bytes with a content type (for broken JSON and file uploads).
    pub async fn post_raw(&self, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> Reply {
        let request = self
            .client
            .post(self.url(path))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body);
        Self::reply(request.send().await.unwrap()).await
    }

    /// Any method as `token`, with a JSON body for the methods that take one.
    pub async fn call_as(&self, method: &str, token: &str, path: &str, body: Option<&Value>) -> Reply {
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut request = self.client.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        Self::reply(request.send().await.unwrap()).await
    }

    /// A new user with this site role, who joins no workspace unless `workspace` is named (or is
    /// the only one); returns their token and user id.
    pub async fn user(&self, email: &str, role: &str, workspace: Option<&str>) -> (String, i64) {
        let mut body = serde_json::json!({"email": email, "role": role});
        if let Some(w) = workspace {
            body["workspace"] = w.into();
        }
        let created = self.post("/api/v1/users", &body).await;
        let created = created.ok();
        (created["token"]["token"].as_str().unwrap().to_string(), created["user"]["id"].as_i64().unwrap())
    }

    pub async fn delete(&self, path: &str) -> Reply {
        Self::reply(self.client.delete(self.url(path)).bearer_auth(&self.token).send().await.unwrap()).await
    }

    /// Imports the shipped ODS file as of 2021-12-01 (209 English trusts).
    pub async fn import_nhs_trusts(&self) -> Reply {
        let bytes = std::fs::read(ODS_FILE).expect("the shipped ODS file");
        self.post_raw(
            "/api/v1/authorities/import?format=ods-etr&as_of=2021-12-01&region_required=true",
            "text/csv",
            bytes,
        )
        .await
    }

    /// The id of a campaign's first request, by reference.
    pub async fn first_request(&self, campaign: i64) -> i64 {
        let page = self.get(&format!("/api/v1/requests?campaign={campaign}&sort=reference&per_page=1")).await;
        page.ok()["items"][0]["id"].as_i64().expect("the campaign has requests")
    }

    /// Imports the trusts and creates the bystander-training campaign to all of them.
    pub async fn nhs_campaign(&self) -> i64 {
        self.import_nhs_trusts().await.ok();
        let created = self
            .post("/api/v1/campaigns", &serde_json::json!({
                "title": "Active bystander training",
                "reference_prefix": "ABT-2021",
                "subject_template": "Freedom of Information request [{{request.reference}}]",
                "body_template": "Dear {{authority.name}},\n\nPlease tell us whether you provide active bystander training.\n",
                "targets": {"all": true}
            }))
            .await;
        created.ok()["id"].as_i64().unwrap()
    }
}

/// Runs futures concurrently on this task, in the order given (no extra dependency needed).
pub async fn join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<(usize, std::pin::Pin<Box<F>>)> = futures.map(Box::pin).enumerate().collect();
    let mut results: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        pending.retain_mut(|(i, f)| match f.as_mut().poll(cx) {
            std::task::Poll::Ready(v) => {
                results[*i] = Some(v);
                false
            }
            std::task::Poll::Pending => true,
        });
        if pending.is_empty() { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    results.into_iter().map(|r| r.expect("every future finished")).collect()
}
