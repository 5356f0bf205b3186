//! The annual report of government information disclosure (政府信息公开工作年度报告) in the
//! national table format of 2021 (国办公开办函〔2021〕30号), per site and year.
//!
//! **What it owns.** The `annual_reports` table (migration module `annual_report`): one
//! row per (site, year) holding the entries the unit typed and, once published, the
//! frozen report (tables + entries + warnings as JSON); the facade methods to read,
//! save, publish and correct a report; the public reads; and the .xlsx export laid out
//! like the national form. The counting rules are pure, in [`table`].
//!
//! **What it must never do.** Change tickets or documents (it only reads them), or
//! let a published report change by itself: the public sees the frozen snapshot, and
//! only an explicit publication (or correction) replaces it.
//!
//! **Which requests count.** A site's report counts the disclosure tickets (channel
//! `disclosure`) whose responsible unit — or, while none is responsible yet, the unit
//! addressed — is the site's *reporting unit*: the unit named by the setting
//! `annual_report.unit.{site id}` (set by the centre with
//! [`SiteGroup::set_annual_report_unit`]; this is how the county portal reports for
//! the county government's unit), otherwise the site's own unit. A site with neither
//! counts no requests and gets a `no_unit` warning. *Concluded* means closed (the
//! centre approved the reply: `Flow.closed_at`) or rejected at screening (also
//! `closed_at`); a ticket rejected as spam is not a request and is not counted at all,
//! a ticket rejected as a duplicate without a recorded outcome counts as
//! `not_handled.repeat`. A disclosure ticket without applicant facts (stored before
//! they existed) counts as a natural person's.
//!
//! **Which documents count.** The site's published disclosure items (public revision)
//! whose form is 规章 or 行政规范性文件; first publication is `first_published_at`; a
//! repealed item's day of repeal is its `repealed_on`, or else the day its public
//! (repealed) revision was published.
//!
//! **Who may.** Reading the back-office report is `ViewStats` on the site (its
//! administrators, group-scoped leaders and the centre); saving, publishing and
//! correcting are `EditSite` on the site (its administrators and the centre). Editors
//! and other sites' administrators are refused. The public reads take no actor and see
//! published reports only.
//!
//! **Publishing.** [`SiteGroup::publish_annual_report`] freezes the computed tables with
//! the entries; publishing again replaces the snapshot (a correction) and keeps the
//! first publication time in `first_published_at`. Once published, saving entries alone
//! is refused; [`SiteGroup::correct_annual_report`] saves and republishes in one
//! transaction. Every write is audited with an outbox event (`annual_report.save`,
//! `annual_report.publish`, `annual_report.correct`, `annual_report.unit`).

pub mod table;

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use sitegroup_content::{DocFields, Validity};
use sitegroup_core::audit::Origin;
use sitegroup_core::{Action, Actor, Resource, SiteId, UnitId, ValidationError, authorize};
use sitegroup_interaction::flow::{RejectReason, TicketState};
use sitegroup_interaction::model::beijing_date;
use sitegroup_interaction::{ApplicantKind, DisclosureOutcome, repo as ticket_repo};
use sitegroup_store::{Tx, core_repo, params};

use table::{AnnualReportEntries, FormDoc, ProactiveTable, ReportWarning, RequestFact, RequestTable, ReviewTable};

use crate::error::Error;
use crate::group::{MaybeSite, SiteGroup};

/// First year a report may be asked for (the Regulations took effect in 2008).
pub const FIRST_YEAR: i32 = 2008;

pub(crate) fn migrations() -> Vec<sitegroup_store::Migration> {
    vec![sitegroup_store::Migration {
        module: "annual_report",
        version: 1,
        name: "annual disclosure reports: entries and published snapshot per site and year",
        sql: "CREATE TABLE annual_reports (
            id {{id}},
            site_id BIGINT NOT NULL REFERENCES sites(id),
            year BIGINT NOT NULL,
            entries TEXT NOT NULL,
            snapshot TEXT,
            published_at BIGINT,
            first_published_at BIGINT,
            updated_by TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE UNIQUE INDEX annual_reports_site_year ON annual_reports (site_id, year);",
        postgres_sql: None,
    }]
}

/// The annual report of one site for one year: computed now, or frozen once published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualReport {
    /// The site.
    pub site: SiteId,
    /// The site's name (printed in the title).
    pub site_name: String,
    /// The year reported on.
    pub year: i32,
    /// Name of the reporting unit whose requests are counted (`None`: no unit).
    pub unit_name: Option<String>,
    /// 二、主动公开政府信息情况.
    pub proactive: ProactiveTable,
    /// 三、收到和处理政府信息公开申请情况.
    pub requests: RequestTable,
    /// 四、政府信息公开行政复议、行政诉讼情况.
    pub review: ReviewTable,
    /// What the unit typed in (texts of 一、五、六, counts and amounts).
    pub entries: AnnualReportEntries,
    /// What to look at before publishing (tickets without outcome, broken balance).
    pub warnings: Vec<ReportWarning>,
    /// When the standing version was published (`Some` once published; the figures
    /// are then frozen).
    pub published_at: Option<i64>,
    /// When it was first published (a correction keeps it).
    pub first_published_at: Option<i64>,
}

impl MaybeSite for AnnualReport {
    fn site_id(&self) -> Option<SiteId> {
        Some(self.site)
    }
}

/// A cell (or merged range) of the exported sheet: rows and columns from 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetCell {
    /// First row.
    pub row: u32,
    /// First column.
    pub col: u16,
    /// Last row (equal to `row` unless merged).
    pub last_row: u32,
    /// Last column (equal to `col` unless merged).
    pub last_col: u16,
    /// The text shown (numbers as their digits).
    pub text: String,
    /// Whether it is a number (written as one).
    pub number: bool,
    /// A heading (bold).
    pub heading: bool,
}

struct Sheet {
    cells: Vec<SheetCell>,
    row: u32,
}

impl Sheet {
    fn put(&mut self, row: u32, col: u16, last_row: u32, last_col: u16, text: &str, heading: bool) {
        self.cells.push(SheetCell { row, col, last_row, last_col, text: text.into(), number: false, heading });
    }
    fn num(&mut self, row: u32, col: u16, last_col: u16, text: String) {
        self.cells.push(SheetCell { row, col, last_row: row, last_col, text, number: true, heading: false });
    }
    /// A heading line across the ten columns, then the next row.
    fn heading(&mut self, text: &str) {
        let r = self.row;
        self.put(r, 0, r, 9, text, true);
        self.row += 1;
    }
    /// A text block across the ten columns.
    fn text(&mut self, text: &str) {
        let r = self.row;
        self.put(r, 0, r, 9, if text.is_empty() { "无" } else { text }, false);
        self.row += 2;
    }
}

impl AnnualReport {
    /// The title: `{site}{year}年政府信息公开工作年度报告`, as such reports are titled.
    pub fn title(&self) -> String {
        format!("{}{}年政府信息公开工作年度报告", self.site_name, self.year)
    }

    /// The sheet as the .xlsx holds it, cell by cell (merged ranges once), laid out
    /// like the national form: title, the six parts, the three tables with merged
    /// headers. [`AnnualReport::to_xlsx`] writes exactly these cells.
    pub fn sheet_cells(&self) -> Vec<SheetCell> {
        let mut s = Sheet { cells: Vec::new(), row: 0 };
        s.put(0, 0, 0, 9, &self.title(), true);
        s.row = 2;
        s.heading("一、总体情况");
        s.text(&self.entries.overview);

        s.heading("二、主动公开政府信息情况");
        let p = &self.proactive;
        let r = s.row;
        s.put(r, 0, r, 9, "第二十条第（一）项", true);
        s.put(r + 1, 0, r + 1, 2, "信息内容", true);
        s.put(r + 1, 3, r + 1, 4, "本年制发件数", true);
        s.put(r + 1, 5, r + 1, 6, "本年废止件数", true);
        s.put(r + 1, 7, r + 1, 9, "现行有效件数", true);
        let mut r = r + 2;
        for row in &p.documents {
            s.put(r, 0, r, 2, &row.label, false);
            s.num(r, 3, 4, row.made.to_string());
            s.num(r, 5, 6, row.repealed.to_string());
            s.num(r, 7, 9, row.in_force.to_string());
            r += 1;
        }
        type Decisions<'a> = [(&'a str, &'a str, Vec<(&'a str, String)>); 3];
        let decisions: Decisions<'_> = [
            ("第二十条第（五）项", "本年处理决定数量", vec![("行政许可", p.licensing.to_string())]),
            (
                "第二十条第（六）项",
                "本年处理决定数量",
                vec![("行政处罚", p.penalty.to_string()), ("行政强制", p.enforcement.to_string())],
            ),
            ("第二十条第（八）项", "本年收费金额（单位：万元）", vec![("行政事业性收费", p.fees_wan.to_string())]),
        ];
        for (head, col, rows) in decisions {
            s.put(r, 0, r, 9, head, true);
            s.put(r + 1, 0, r + 1, 2, "信息内容", true);
            s.put(r + 1, 3, r + 1, 9, col, true);
            r += 2;
            for (label, value) in rows {
                s.put(r, 0, r, 2, label, false);
                s.num(r, 3, 9, value);
                r += 1;
            }
        }
        s.row = r + 1;

        s.heading("三、收到和处理政府信息公开申请情况");
        let r = s.row;
        s.put(r, 0, r + 2, 2, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", true);
        s.put(r, 3, r, 9, "申请人情况", true);
        s.put(r + 1, 3, r + 2, 3, "自然人", true);
        s.put(r + 1, 4, r + 1, 8, "法人或其他组织", true);
        s.put(r + 1, 9, r + 2, 9, "总计", true);
        for (i, k) in ApplicantKind::ALL.iter().enumerate().skip(1) {
            let c = 3 + i as u16;
            s.put(r + 2, c, r + 2, c, k.label_zh(), true);
        }
        let mut r = r + 3;
        let counts = |s: &mut Sheet, r: u32, c: &[u64; 7]| {
            for (i, n) in c.iter().enumerate() {
                s.num(r, 3 + i as u16, 3 + i as u16, n.to_string());
            }
        };
        let rows = &self.requests.rows;
        let outcome_rows = rows.len().saturating_sub(3);
        let mut i = 0;
        while i < rows.len() {
            let row = &rows[i];
            match row.key.as_str() {
                "received" | "carried_over" | "carried_forward" => {
                    s.put(r, 0, r, 2, &row.label, false);
                    counts(&mut s, r, &row.counts);
                    r += 1;
                    i += 1;
                }
                "granted" => {
                    // 三、本年度办理结果 spans the 21 outcome rows and （七）总计.
                    let span = (outcome_rows - 2) as u32;
                    s.put(r, 0, r + span - 1, 0, "三、本年度办理结果", false);
                    while i < rows.len() && rows[i].key != "carried_forward" {
                        let row = &rows[i];
                        match &row.group {
                            None => {
                                s.put(r, 1, r, 2, &row.label, false);
                                counts(&mut s, r, &row.counts);
                                r += 1;
                                i += 1;
                            }
                            Some(group) => {
                                let n = rows[i..].iter().take_while(|x| x.group.as_ref() == Some(group)).count();
                                s.put(r, 1, r + n as u32 - 1, 1, group, false);
                                for row in &rows[i..i + n] {
                                    s.put(r, 2, r, 2, &row.label, false);
                                    counts(&mut s, r, &row.counts);
                                    r += 1;
                                }
                                i += n;
                            }
                        }
                    }
                }
                _ => {
                    s.put(r, 0, r, 2, &row.label, false);
                    counts(&mut s, r, &row.counts);
                    r += 1;
                    i += 1;
                }
            }
        }
        s.row = r + 1;

        s.heading("四、政府信息公开行政复议、行政诉讼情况");
        let r = s.row;
        s.put(r, 0, r + 1, 4, "行政复议", true);
        s.put(r, 5, r, 14, "行政诉讼", true);
        s.put(r + 1, 5, r + 1, 9, "未经复议直接起诉", true);
        s.put(r + 1, 10, r + 1, 14, "复议后起诉", true);
        for block in 0..3u16 {
            for (j, label) in ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"].iter().enumerate()
            {
                let c = block * 5 + j as u16;
                s.put(r + 2, c, r + 2, c, label, true);
            }
        }
        for (block, row) in self.review.rows.iter().enumerate() {
            for (j, n) in [row.upheld, row.corrected, row.other, row.pending, row.total].iter().enumerate() {
                let c = block as u16 * 5 + j as u16;
                s.num(r + 3, c, c, n.to_string());
            }
        }
        s.row = r + 5;

        s.heading("五、存在的主要问题及改进情况");
        s.text(&self.entries.problems);
        s.heading("六、其他需要报告的事项");
        s.text(&self.entries.other);
        let e = &self.entries;
        s.text(&format!(
            "依据《政府信息公开信息处理费管理办法》收取信息处理费情况：发出收费通知的件数 {} 件，总金额 {} 元；实际收取的总金额 {} 元。",
            e.fee_notices, e.fee_notice_amount, e.fee_collected
        ));
        if !self.warnings.is_empty() {
            s.heading("附：数据提示");
            for w in &self.warnings {
                let r = s.row;
                s.put(r, 0, r, 9, &w.text, false);
                s.row += 1;
            }
        }
        s.cells
    }

    /// The report as an .xlsx workbook (one sheet, the national form's layout).
    pub fn to_xlsx(&self) -> Result<Vec<u8>, Error> {
        report_xlsx(self).map_err(|e| Error::Internal(format!("xlsx: {e}")))
    }
}

fn report_xlsx(report: &AnnualReport) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(format!("{}年度报告", report.year))?;
    let plain = Format::new().set_text_wrap().set_align(FormatAlign::VerticalCenter).set_border(FormatBorder::Thin);
    let head = plain.clone().set_bold().set_align(FormatAlign::Center);
    let num = Format::new().set_align(FormatAlign::Center).set_border(FormatBorder::Thin);
    for c in 0..15u16 {
        ws.set_column_width(c, if c < 3 { 16 } else { 11 })?;
    }
    for cell in report.sheet_cells() {
        let fmt = if cell.heading {
            &head
        } else if cell.number {
            &num
        } else {
            &plain
        };
        let merged = cell.last_row != cell.row || cell.last_col != cell.col;
        if merged {
            let text = if cell.number { "" } else { cell.text.as_str() };
            ws.merge_range(cell.row, cell.col, cell.last_row, cell.last_col, text, fmt)?;
        }
        if cell.number {
            match cell.text.parse::<f64>() {
                Ok(n) => ws.write_number_with_format(cell.row, cell.col, n, fmt)?,
                Err(_) => ws.write_string_with_format(cell.row, cell.col, &cell.text, fmt)?,
            };
        } else if !merged {
            ws.write_string_with_format(cell.row, cell.col, &cell.text, fmt)?;
        }
    }
    wb.save_to_buffer()
}

fn check_year(year: i32, now: i64) -> Result<(), Error> {
    let current = beijing_date(now).map_or(year, |d| d.year());
    if !(FIRST_YEAR..=current).contains(&year) {
        return Err(ValidationError::Malformed {
            field: "year",
            reason: format!("{year} is not {FIRST_YEAR}..={current}"),
        }
        .into());
    }
    Ok(())
}

fn target(site: SiteId, year: i32) -> String {
    format!("annual_report:{}:{year}", site.0)
}

fn unit_setting(site: SiteId) -> String {
    format!("annual_report.unit.{}", site.0)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Store(sitegroup_store::StoreError::Corrupt(format!("{what}: {e}")))
}

/// The stored row of a (site, year).
struct Stored {
    entries: AnnualReportEntries,
    snapshot: Option<AnnualReport>,
}

fn load_row(tx: &mut Tx<'_>, site: SiteId, year: i32) -> Result<Option<Stored>, Error> {
    let Some(row) = tx.query_opt(
        "SELECT entries, snapshot FROM annual_reports WHERE site_id = ? AND year = ?",
        params![site.0, i64::from(year)],
    )?
    else {
        return Ok(None);
    };
    let entries: String = row.get(0)?;
    let snapshot: Option<String> = row.get(1)?;
    Ok(Some(Stored {
        entries: serde_json::from_str(&entries).map_err(|e| corrupt("annual report entries", e))?,
        snapshot: snapshot
            .map(|s| serde_json::from_str(&s).map_err(|e| corrupt("annual report snapshot", e)))
            .transpose()?,
    }))
}

fn save_entries_row(
    tx: &mut Tx<'_>,
    site: SiteId,
    year: i32,
    entries: &AnnualReportEntries,
    by: &str,
    at: i64,
) -> Result<(), Error> {
    let json = serde_json::to_string(entries).map_err(|e| corrupt("annual report entries", e))?;
    tx.execute(
        "INSERT INTO annual_reports (site_id, year, entries, updated_by, updated_at) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (site_id, year) DO UPDATE SET entries = excluded.entries, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at",
        params![site.0, i64::from(year), json, by, at],
    )?;
    Ok(())
}

impl SiteGroup {
    /// The unit whose disclosure requests a site's report counts (see the module doc).
    fn reporting_unit(&self, tx: &mut Tx<'_>, site: SiteId) -> Result<Option<UnitId>, Error> {
        if let Some(code) = core_repo::get_setting(tx, &unit_setting(site))?
            && let Some(u) = core_repo::unit_by_code(tx, &code)?
        {
            return Ok(Some(u.id));
        }
        Ok(self.site_tree()?.get(site).and_then(|s| s.unit))
    }

    /// Computes the report now from the tickets, the catalogue and `entries`.
    fn compute_annual_report(
        &self,
        tx: &mut Tx<'_>,
        site: SiteId,
        year: i32,
        entries: AnnualReportEntries,
    ) -> Result<AnnualReport, Error> {
        let tree = self.site_tree()?;
        let s = tree.get(site).ok_or_else(|| Error::NotFound { what: "site", key: site.0.to_string() })?;
        let (_, end) = table::year_bounds(year)
            .ok_or_else(|| ValidationError::Malformed { field: "year", reason: year.to_string() })?;
        let unit = self.reporting_unit(tx, site)?;
        let mut warnings = Vec::new();
        let (facts, unit_name) = match unit {
            Some(u) => {
                let name = core_repo::unit_by_id(tx, u)?.map(|u| u.name);
                let tickets = ticket_repo::disclosure_tickets(tx, u, end)?;
                (tickets.iter().filter_map(request_fact).collect::<Vec<_>>(), name)
            }
            None => {
                warnings.push(ReportWarning {
                    kind: "no_unit".into(),
                    column: None,
                    ticket: None,
                    query_code: None,
                    text: "本站点未关联单位，未统计依申请公开情况".into(),
                });
                (Vec::new(), None)
            }
        };
        let (requests, mut more) = table::request_table(year, &facts);
        warnings.append(&mut more);
        let docs = form_docs(tx, site)?;
        let proactive = ProactiveTable {
            documents: table::proactive_rows(year, &docs),
            licensing: entries.licensing,
            penalty: entries.penalty,
            enforcement: entries.enforcement,
            fees_wan: entries.fees_wan,
        };
        Ok(AnnualReport {
            site,
            site_name: s.name.clone(),
            year,
            unit_name,
            proactive,
            requests,
            review: ReviewTable::from_entries(&entries),
            entries,
            warnings,
            published_at: None,
            first_published_at: None,
        })
    }

    /// Back office: the report of `site` for `year` — the frozen one if published, else
    /// computed now with the saved entries. `ViewStats` on the site.
    pub fn annual_report(&self, actor: &Actor, site: SiteId, year: i32) -> Result<AnnualReport, Error> {
        authorize(actor, Action::ViewStats, &Resource::Site(site))?;
        check_year(year, self.now())?;
        self.db.read(|tx| {
            let stored = load_row(tx, site, year)?;
            match stored {
                Some(Stored { snapshot: Some(report), .. }) => Ok(report),
                Some(Stored { entries, .. }) => self.compute_annual_report(tx, site, year, entries),
                None => self.compute_annual_report(tx, site, year, AnnualReportEntries::default()),
            }
        })
    }

    /// Back office: saves the entries (audited, event `annual_report.save`) and returns
    /// the report computed with them. Refused once published (use
    /// [`correct_annual_report`](Self::correct_annual_report)). `EditSite` on the site.
    pub fn save_annual_report_entries(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        year: i32,
        entries: &AnnualReportEntries,
    ) -> Result<AnnualReport, Error> {
        authorize(actor, Action::EditSite, &Resource::Site(site))?;
        check_year(year, self.now())?;
        let at = self.now();
        self.audited(actor, origin, "annual_report.save", Some(site), target(site, year), |tx| {
            if load_row(tx, site, year)?.is_some_and(|s| s.snapshot.is_some()) {
                return Err(ValidationError::Malformed {
                    field: "published",
                    reason: "the report is published; publish a correction instead".into(),
                }
                .into());
            }
            save_entries_row(tx, site, year, entries, &actor.label(), at)?;
            let report = self.compute_annual_report(tx, site, year, entries.clone())?;
            Ok((report, serde_json::json!({ "site": site.0, "year": year })))
        })
    }

    /// Back office: freezes the computed tables with the saved entries and publishes
    /// (audited, event `annual_report.publish`). Publishing again replaces the
    /// published version with one computed now (a correction); `first_published_at`
    /// keeps the first time. `EditSite` on the site.
    pub fn publish_annual_report(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        year: i32,
    ) -> Result<AnnualReport, Error> {
        authorize(actor, Action::EditSite, &Resource::Site(site))?;
        check_year(year, self.now())?;
        self.publish_inner(actor, origin, "annual_report.publish", site, year, None)
    }

    /// Back office: a correction of a report — saves `entries` and (re)publishes with
    /// the figures computed now, in one transaction (event `annual_report.correct`).
    /// Works on an unpublished report too (save and publish). `EditSite` on the site.
    pub fn correct_annual_report(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        year: i32,
        entries: &AnnualReportEntries,
    ) -> Result<AnnualReport, Error> {
        authorize(actor, Action::EditSite, &Resource::Site(site))?;
        check_year(year, self.now())?;
        self.publish_inner(actor, origin, "annual_report.correct", site, year, Some(entries))
    }

    fn publish_inner(
        &self,
        actor: &Actor,
        origin: &Origin,
        action: &str,
        site: SiteId,
        year: i32,
        entries: Option<&AnnualReportEntries>,
    ) -> Result<AnnualReport, Error> {
        let at = self.now();
        self.audited(actor, origin, action, Some(site), target(site, year), |tx| {
            let stored = load_row(tx, site, year)?;
            let first = stored.as_ref().and_then(|s| s.snapshot.as_ref()).and_then(|r| r.first_published_at);
            let entries = match (entries, stored) {
                (Some(e), _) => e.clone(),
                (None, Some(s)) => s.entries,
                (None, None) => AnnualReportEntries::default(),
            };
            save_entries_row(tx, site, year, &entries, &actor.label(), at)?;
            let mut report = self.compute_annual_report(tx, site, year, entries)?;
            report.published_at = Some(at);
            report.first_published_at = Some(first.unwrap_or(at));
            let json = serde_json::to_string(&report).map_err(|e| corrupt("annual report snapshot", e))?;
            tx.execute(
                "UPDATE annual_reports SET snapshot = ?, published_at = ?, first_published_at = ? \
                 WHERE site_id = ? AND year = ?",
                params![json, at, report.first_published_at, site.0, i64::from(year)],
            )?;
            let payload = serde_json::json!({
                "site": site.0, "year": year, "received": report.requests.counts("received")[6],
                "warnings": report.warnings.len(),
            });
            Ok((report, payload))
        })
    }

    /// Public: years with a published report for the site, newest first.
    pub fn published_annual_report_years(&self, site: SiteId) -> Result<Vec<i32>, Error> {
        let rows = self.db.read(|tx| {
            tx.query(
                "SELECT year FROM annual_reports WHERE site_id = ? AND snapshot IS NOT NULL ORDER BY year DESC",
                params![site.0],
            )
        })?;
        rows.iter().map(|r| Ok(i32::try_from(r.get::<i64>(0)?).unwrap_or(0))).collect()
    }

    /// Public: the published report of the site for `year`, or `None` (never published,
    /// unknown site, year out of range).
    pub fn published_annual_report(&self, site: SiteId, year: i32) -> Result<Option<AnnualReport>, Error> {
        Ok(self.db.read(|tx| load_row(tx, site, year))?.and_then(|s| s.snapshot))
    }

    /// The centre names the unit whose disclosure requests a site's report counts
    /// (`None` goes back to the site's own unit), e.g. the county government's unit
    /// for the county portal. `ManageUnits` on the group.
    pub fn set_annual_report_unit(
        &self,
        actor: &Actor,
        origin: &Origin,
        site: SiteId,
        unit_code: Option<&str>,
    ) -> Result<(), Error> {
        authorize(actor, Action::ManageUnits, &Resource::Group)?;
        let code = unit_code.map(|c| c.trim().to_ascii_lowercase()).filter(|c| !c.is_empty());
        self.audited(actor, origin, "annual_report.unit", Some(site), format!("site:{}", site.0), |tx| {
            core_repo::site_by_id(tx, site)?
                .ok_or_else(|| Error::NotFound { what: "site", key: site.0.to_string() })?;
            match &code {
                Some(c) => {
                    core_repo::unit_by_code(tx, c)?.ok_or_else(|| Error::NotFound { what: "unit", key: c.clone() })?;
                    core_repo::set_setting(tx, &unit_setting(site), c)?;
                }
                None => {
                    tx.execute("DELETE FROM settings WHERE key = ?", params![unit_setting(site)])?;
                }
            }
            Ok(((), serde_json::json!({ "site": site.0, "unit": code })))
        })
    }

    /// Sites (with a unit or a reporting unit) whose report for the year before
    /// `as_of`'s year is not published although 31 January of `as_of`'s year has
    /// passed (the Regulations' deadline), for the self-check. No permission check:
    /// the caller (the self-check) authorizes.
    pub fn annual_reports_missing(&self, as_of: i64) -> Result<Vec<(SiteId, i32)>, Error> {
        let Some(today) = beijing_date(as_of) else { return Ok(vec![]) };
        if today.month() == 1 {
            return Ok(vec![]);
        }
        let year = today.year() - 1;
        let published: Vec<i64> = self.db.read(|tx| {
            tx.query(
                "SELECT site_id FROM annual_reports WHERE year = ? AND snapshot IS NOT NULL",
                params![i64::from(year)],
            )?
            .iter()
            .map(|r| r.get::<i64>(0))
            .collect::<Result<_, _>>()
        })?;
        let tree = self.site_tree()?;
        Ok(tree
            .sites()
            .iter()
            .filter(|s| s.unit.is_some() && !s.is_template && !published.contains(&s.id.0))
            .filter(|s| s.kind.as_str() != "topic")
            .map(|s| (s.id, year))
            .collect())
    }
}

/// A disclosure ticket as the request table counts it; `None` for tickets rejected as
/// spam (not a request).
fn request_fact(t: &sitegroup_interaction::Ticket) -> Option<RequestFact> {
    let rejection = t.flow.rejection.as_ref().map(|(r, _)| *r);
    if t.flow.state == TicketState::Rejected && rejection == Some(RejectReason::Spam) {
        return None;
    }
    let concluded = matches!(t.flow.state, TicketState::Closed | TicketState::Rejected);
    let facts = t.flow.disclosure;
    let mut outcome = facts.and_then(|f| f.outcome);
    if outcome.is_none() && rejection == Some(RejectReason::Duplicate) {
        outcome = Some(DisclosureOutcome::NotHandledRepeat);
    }
    Some(RequestFact {
        id: t.id,
        query_code: t.query_code.clone(),
        applicant: facts.map_or(ApplicantKind::NaturalPerson, |f| f.applicant),
        received_at: t.received_at,
        concluded_at: if concluded { t.flow.closed_at.or(t.flow.replied_at) } else { None },
        outcome,
    })
}

/// The site's published disclosure items of form 规章 or 行政规范性文件 (public revision).
fn form_docs(tx: &mut Tx<'_>, site: SiteId) -> Result<Vec<FormDoc>, Error> {
    let rows = tx.query(
        "SELECT d.first_published_at, d.published_at, r.fields FROM content_documents d \
         JOIN content_revisions r ON r.id = d.published_rev \
         WHERE d.site_id = ? AND d.kind = 'disclosure' AND d.published_rev IS NOT NULL \
         AND (r.fields LIKE '%\"form\":\"rule\"%' OR r.fields LIKE '%\"form\":\"normative\"%')",
        params![site.0],
    )?;
    let mut out = Vec::new();
    for row in rows {
        let first: Option<i64> = row.get(0)?;
        let published: Option<i64> = row.get(1)?;
        let fields: String = row.get(2)?;
        let fields: DocFields = serde_json::from_str(&fields).map_err(|e| corrupt("revision fields", e))?;
        let (Some(meta), Some(first)) = (fields.kind.disclosure(), first) else { continue };
        if meta.form == sitegroup_content::DocumentForm::Other {
            continue;
        }
        let repealed_on = if meta.validity == Validity::Repealed {
            meta.repealed_on
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .or_else(|| published.and_then(beijing_date))
        } else {
            None
        };
        out.push(FormDoc { form: meta.form, first_published_at: first, repealed_on });
    }
    Ok(out)
}
