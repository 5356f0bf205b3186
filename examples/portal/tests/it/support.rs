//! Shared fixtures: the seeded demo group, requests and responses.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use portal::demo::{self, Seeded};
use portal::{AppState, Options, app};
use sitegroup::SiteGroup;
use tower::ServiceExt;

/// The files of a freshly seeded demo group (small scale), and its accounts.
struct Template {
    files: Vec<(String, Vec<u8>)>,
    seeded: Seeded,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let seeded = {
            let group = SiteGroup::open(dir.path()).unwrap();
            demo::seed_with(&group, demo::Scale::Small, &mut |_| {}).unwrap()
            // The group is dropped here: connections close and SQLite checkpoints.
        };
        // The database files and the file store (`files/…`, pictures and attachments).
        let mut files = Vec::new();
        collect_files(dir.path(), "", &mut files);
        Template { files, seeded }
    })
}

/// One test's portal over its own copy of the demo group.
pub struct TestPortal {
    _dir: tempfile::TempDir,
    pub state: AppState,
    pub app: Router,
    pub seeded: Seeded,
}

impl TestPortal {
    pub fn new() -> TestPortal {
        let t = template();
        let dir = tempfile::tempdir().unwrap();
        copy_files(&t.files, dir.path());
        let group = SiteGroup::open(dir.path()).unwrap();
        let state = AppState::with_options(Arc::new(group), &Options::default()).unwrap();
        TestPortal { _dir: dir, app: app(state.clone()), state, seeded: t.seeded.clone() }
    }

    pub fn group(&self) -> &SiteGroup {
        self.state.group()
    }

    pub fn password(&self, username: &str) -> String {
        self.seeded.account(username).unwrap().password.clone()
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> Resp {
        self.send(Request::get(path).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(&self, path: &str, body: &str, cookie: Option<&str>) -> Resp {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body.to_string())).unwrap()).await
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
        Resp { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes: bytes.to_vec() }
    }

    /// A CSRF cookie and the token to put in the form, as a browser gets them from GET /login.
    pub async fn csrf(&self) -> (String, String) {
        let page = self.get("/login").await;
        let token = page.hidden("csrf");
        let cookie = page.cookie(portal::CSRF_COOKIE).unwrap();
        assert_eq!(cookie, token, "double-submit token");
        (format!("{}={cookie}", portal::CSRF_COOKIE), token)
    }

    /// Logs in through the form; returns the Cookie header for later requests.
    pub async fn login(&self, username: &str) -> String {
        let (csrf_cookie, token) = self.csrf().await;
        let body = format!("csrf={token}&username={username}&password={}", encode(&self.password(username)));
        let res = self.post_form("/login", &body, Some(&csrf_cookie)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let session = res.cookie(portal::SESSION_COOKIE).unwrap();
        format!("{csrf_cookie}; {}={session}", portal::SESSION_COOKIE)
    }
}

/// Every file under `dir`, with its path relative to it.
fn collect_files(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let name = format!("{prefix}{}", e.file_name().to_string_lossy());
        let kind = e.file_type().unwrap();
        if kind.is_dir() {
            collect_files(&e.path(), &format!("{name}/"), out);
        } else if kind.is_file() {
            out.push((name, std::fs::read(e.path()).unwrap()));
        }
    }
}

fn copy_files(files: &[(String, Vec<u8>)], to: &Path) {
    for (name, bytes) in files {
        let path = to.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Escapes text the way minijinja's HTML auto-escaping does (it escapes `/` too), so
/// tests can look for what a template printed.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

/// `href="…"` as a template prints it.
pub fn href(path: &str) -> String {
    format!(r#"href="{}""#, esc(path))
}

/// `<a href="…">text</a>` as a template prints it.
pub fn link(path: &str, text: &str) -> String {
    format!(r#"<a {}>{text}</a>"#, href(path))
}

/// Percent-encodes a form value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as text (lossy for binary responses: see `bytes`).
    pub body: String,
    /// The body as sent.
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The full Set-Cookie line for a cookie name.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(str::to_string)
    }

    /// The value a Set-Cookie gives a cookie.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let line = self.set_cookie(name)?;
        let first = line.split(';').next()?;
        Some(first.split_once('=')?.1.to_string())
    }

    /// The value of a hidden form field.
    pub fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start =
            self.body.find(&marker).unwrap_or_else(|| panic!("no hidden {name} in {}", self.body)) + marker.len();
        let end = self.body[start..].find('"').unwrap();
        self.body[start..start + end].to_string()
    }

    pub fn is_html(&self) -> bool {
        self.header("content-type").starts_with("text/html")
    }

    /// The security headers every response must carry.
    pub fn assert_security_headers(&self) {
        assert!(
            self.header("content-security-policy").contains("default-src 'self'"),
            "CSP missing: {:?}",
            self.headers
        );
        assert_eq!(self.header("x-content-type-options"), "nosniff");
        assert_eq!(self.header("x-frame-options"), "SAMEORIGIN");
        assert_eq!(self.header("referrer-policy"), "same-origin");
    }
}
