//! Portal page rendering (issue 3): a column page (first and a deep page), a document
//! page and a site home, over the full demo group (≈ 29,500 published documents),
//! driven in-process through the router (no socket, no network noise).
//!
//! Run with: `cargo bench -p sitegroup-benches --bench portal`
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use criterion::{Criterion, criterion_group, criterion_main};
use portal::{AppState, Options, app};
use sitegroup::SiteGroup;
use tower::ServiceExt;

fn pages(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let group = SiteGroup::open(dir.path()).unwrap();
    let started = std::time::Instant::now();
    portal::demo::seed(&group, &mut |_| {}).unwrap();
    eprintln!("demo seeded in {:.1} s", started.elapsed().as_secs_f64());
    let portal_site = group.site_tree().unwrap().sites().iter().find(|s| s.parent.is_none()).unwrap().id;
    let doc = group.latest_published(portal_site, 1).unwrap()[0].id;
    let state = AppState::with_options(Arc::new(group), &Options::default()).unwrap();
    let router = app(state.clone());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let get = |path: &str| {
        let router = router.clone();
        let path = path.to_string();
        rt.block_on(async move {
            let res = router.oneshot(Request::get(path.as_str()).body(Body::empty()).unwrap()).await.unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.unwrap();
            (status, body)
        })
    };
    // The busiest column of the portal and one of its documents.
    let (status, home) = get("/");
    assert_eq!(status, StatusCode::OK);
    assert!(!home.is_empty());
    let column = "/ywdt";
    assert_eq!(get(column).0, StatusCode::OK, "the demo has a {column} column");
    let deep = format!("{column}?page=200");
    assert_eq!(get(&deep).0, StatusCode::OK);
    assert_eq!(get(&format!("/docs/{doc}.html")).0, StatusCode::OK);
    let mut g = c.benchmark_group("portal_render_full_demo");
    g.sample_size(30);
    g.bench_function("column_page_1", |b| b.iter(|| black_box(get(column))));
    g.bench_function("column_page_200", |b| b.iter(|| black_box(get(&deep))));
    g.bench_function("document_page", |b| b.iter(|| black_box(get(&format!("/docs/{doc}.html")))));
    g.bench_function("site_home", |b| b.iter(|| black_box(get("/"))));
    g.finish();
}

criterion_group!(benches, pages);
criterion_main!(benches);
