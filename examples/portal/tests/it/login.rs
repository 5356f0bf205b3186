//! Login, lock-out, CSRF, escaping of what is typed.

use axum::http::StatusCode;

use crate::support::{TestPortal, encode, esc};

#[tokio::test]
async fn a_wrong_password_is_refused_in_chinese_and_repeated_failures_lock() {
    let p = TestPortal::new();
    let (cookie, token) = p.csrf().await;
    let attempt = |password: &str| format!("csrf={token}&username=jyj_admin&password={}", encode(password));
    // The default policy locks on the 5th failure.
    for i in 1..=4 {
        let res = p.post_form("/login", &attempt("wrong-password"), Some(&cookie)).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert!(res.body.contains("用户名或密码错误"), "attempt {i}");
        assert!(res.body.contains(r#"value="jyj_admin""#), "the typed name stays in the form");
        assert!(res.set_cookie(portal::SESSION_COOKIE).is_none());
    }
    let res = p.post_form("/login", &attempt("wrong-password"), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(res.body.contains("账户已锁定至"), "{}", res.body);
    assert!(res.body.contains("（北京时间）"));
    assert!(!res.header("retry-after").is_empty());
    // Even the right password is refused while locked.
    let right = attempt(&p.password("jyj_admin"));
    let res = p.post_form("/login", &right, Some(&cookie)).await;
    assert!(res.body.contains("账户已锁定至"));
    assert!(res.set_cookie(portal::SESSION_COOKIE).is_none());
}

#[tokio::test]
async fn unknown_users_get_the_same_message() {
    let p = TestPortal::new();
    let (cookie, token) = p.csrf().await;
    let res = p.post_form("/login", &format!("csrf={token}&username=nobody&password=x1234567890"), Some(&cookie)).await;
    assert!(res.body.contains("用户名或密码错误"));
    let empty = p.post_form("/login", &format!("csrf={token}&username=&password="), Some(&cookie)).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("请输入用户名和密码"));
}

#[tokio::test]
async fn a_good_login_sets_the_session_cookie_and_leads_to_admin() {
    let p = TestPortal::new();
    let (cookie, token) = p.csrf().await;
    let body = format!("csrf={token}&username=jyj_admin&password={}", encode(&p.password("jyj_admin")));
    let res = p.post_form("/login", &body, Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.header("location"), "/admin");
    let set = res.set_cookie(portal::SESSION_COOKIE).unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(set.contains(attr), "{set} lacks {attr}");
    }
    let max_age: i64 = set.split("Max-Age=").nth(1).unwrap().split(';').next().unwrap().parse().unwrap();
    assert!(max_age > 3600, "the library's session lifetime: {max_age}");
    let csrf_cookie = p.get("/login").await.set_cookie(portal::CSRF_COOKIE).unwrap();
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Strict"));
}

#[tokio::test]
async fn posts_without_a_matching_csrf_token_are_refused() {
    let p = TestPortal::new();
    let password = encode(&p.password("jyj_admin"));
    // No token at all.
    let res = p.post_form("/login", &format!("username=jyj_admin&password={password}"), None).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.body.contains("表单已失效或来源不明"));
    assert!(res.set_cookie(portal::SESSION_COOKIE).is_none());
    // A field without the cookie, and a cookie that does not match the field.
    let (cookie, token) = p.csrf().await;
    let res = p.post_form("/login", &format!("csrf={token}&username=jyj_admin&password={password}"), None).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let other = "0".repeat(64);
    let res =
        p.post_form("/login", &format!("csrf={other}&username=jyj_admin&password={password}"), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Logout too.
    let res = p.post_form("/logout", "", Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = p.post_form("/logout", &format!("csrf={token}"), Some(&cookie)).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn what_is_typed_into_forms_comes_back_escaped() {
    let p = TestPortal::new();
    let (cookie, token) = p.csrf().await;
    let typed = r#"<script>alert("x")</script>"#;
    let res = p
        .post_form("/login", &format!("csrf={token}&username={}&password=whatever123", encode(typed)), Some(&cookie))
        .await;
    assert!(res.body.contains("用户名或密码错误"));
    assert!(res.body.contains(&format!(r#"value="{}""#, esc(typed))), "{}", res.body);
    assert!(res.body.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;&#x2f;script&gt;"));
    assert!(!res.body.contains("<script>"));
}
