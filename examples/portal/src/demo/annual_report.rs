//! Demo data of the annual disclosure report (政府信息公开工作年度报告): the county
//! government as a unit of its own (`xzf`, 无为县人民政府) with its disclosure requests,
//! named as the county portal's reporting unit, and last year's report published for
//! the county portal and two departments with plausible entries. Other sites keep
//! last year's report unpublished, so the back office has drafts to show too.
//!
//! Runs after the tickets step (the departments' requests are in by then) and after
//! the content (the proactive-disclosure table counts the catalogue).

use chrono::Datelike;
use sitegroup::{Actor, AnnualReportEntries, CaseCounts, Error, NewUnit, Origin, SiteGroup, UnitKind};

use super::text::Rng;
use super::tickets::disclosure_requests;
use super::{PORTAL, Scale};

/// The county government's unit code.
const COUNTY_UNIT: (&str, &str) = ("xzf", "无为县人民政府");
/// Requests to the county government per year.
const COUNTY_REQUESTS: usize = 16;
/// Departments whose report is published (besides the portal).
const PUBLISHED: &[&str] = &["jyj", "zjj"];

/// Plausible entries for a site's report, scaled by `big` (the county government).
fn entries(name: &str, year: i32, big: bool, rng: &mut Rng) -> AnnualReportEntries {
    let k = if big { 4 } else { 1 };
    let n = |rng: &mut Rng, lo: i64, hi: i64| u64::try_from(rng.range(lo, hi)).unwrap_or(0) * k;
    AnnualReportEntries {
        overview: format!(
            "{year}年，{name}坚持以公开为常态、不公开为例外，认真贯彻落实《中华人民共和国政府信息公开条例》，\
             围绕重点领域信息公开、政策解读和回应关切，不断完善政府信息公开工作机制，依法保障人民群众的知情权、参与权和监督权。"
        ),
        licensing: n(rng, 40, 400),
        penalty: n(rng, 5, 60),
        enforcement: n(rng, 0, 8),
        fees_wan: sitegroup::Amount(u64::try_from(rng.range(0, 50_000)).unwrap_or(0) * k),
        review: CaseCounts { upheld: n(rng, 0, 3), corrected: 0, other: 0, pending: u64::from(big) },
        suit_direct: CaseCounts { upheld: n(rng, 0, 2), corrected: 0, other: 0, pending: 0 },
        suit_after: CaseCounts::default(),
        problems: "一是政策解读形式还不够丰富；二是部分栏目更新不够及时；三是依申请公开办理的规范化水平有待提高。\
                   下一步将加强业务培训，完善栏目更新责任制，提升公开质量。"
            .into(),
        other: "本年度无其他需要报告的事项。".into(),
        fee_notices: 0,
        fee_notice_amount: sitegroup::Amount(0),
        fee_collected: sitegroup::Amount(0),
    }
}

/// Seeds the county government's unit and requests and publishes last year's reports.
pub(crate) fn seed(group: &SiteGroup, scale: Scale, progress: &mut dyn FnMut(&str)) -> Result<(), Error> {
    let seed = Actor::system("seed");
    let origin = Origin::other("demo");
    let now = group.now();
    let year = chrono::DateTime::from_timestamp(now + 8 * 3_600, 0).map_or(2026, |d| d.year()) - 1;
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(now, |d| d.and_utc().timestamp() - 8 * 3_600);
    let mut rng = Rng::derive(2026, "annual_report");

    group.add_unit(
        &seed,
        &origin,
        &NewUnit { code: COUNTY_UNIT.0.into(), name: COUNTY_UNIT.1.into(), kind: UnitKind::Other },
    )?;
    let portal = group.site(PORTAL.code)?;
    group.set_annual_report_unit(&seed, &origin, portal.id, Some(COUNTY_UNIT.0))?;
    let years = ((now - start) as f64 / (365.0 * 86_400.0)).max(0.1);
    let count = match scale {
        Scale::Full => (COUNTY_REQUESTS as f64 * years).round() as usize,
        Scale::Small => 3,
    };
    let lines = disclosure_requests(&mut rng, COUNTY_UNIT.0, count, (start, now), now);
    for result in group.import_tickets_batch(&seed, &origin, &lines)? {
        result?;
    }

    let mut sites = vec![(portal, true)];
    for code in PUBLISHED {
        sites.push((group.site(code)?, false));
    }
    for (site, big) in sites {
        let e = entries(&site.name, year, big, &mut rng);
        group.save_annual_report_entries(&seed, &origin, site.id, year, &e)?;
        group.publish_annual_report(&seed, &origin, site.id, year)?;
    }
    progress("annual_report");
    Ok(())
}
