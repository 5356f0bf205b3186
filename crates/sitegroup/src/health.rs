//! Column health from published content: the glue between the columns module (duties,
//! health rules) and the content module (what was published when).

use sitegroup_columns::{ColumnActivity, SiteHealth};
use sitegroup_core::{Actor, SiteId};

use crate::column_service::ColumnReminder;
use crate::error::Error;
use crate::group::SiteGroup;

/// The trailing window over which the minimum publishing rate is judged, in days: a
/// week smooths out weekends and holidays (8 a day means 56 a week).
pub const RATE_WINDOW_DAYS: u32 = 7;

impl SiteGroup {
    /// What the content module knows about each column of `site`: latest publication,
    /// documents public now, and those published within the rate window.
    pub fn column_activity_of(&self, site: SiteId) -> Result<Vec<ColumnActivity>, Error> {
        let window_start = self.now() - i64::from(RATE_WINDOW_DAYS) * 86_400;
        Ok(self
            .column_activity(Some(site), window_start)?
            .into_iter()
            .map(|a| ColumnActivity {
                column: a.column,
                last_published_at: a.last_published,
                published_total: u64::try_from(a.total_published).unwrap_or(0),
                published_in_window: u64::try_from(a.published_since).unwrap_or(0),
            })
            .collect())
    }

    /// Health of the columns of `site` now (ViewBackOffice on the site): last update,
    /// overdue columns, blank columns, home-page freshness and the veto items.
    ///
    /// ```
    /// # fn main() -> Result<(), sitegroup::Error> {
    /// use sitegroup::{Actor, NewSite, Origin, SiteGroup};
    /// let dir = tempfile::tempdir().expect("temp dir");
    /// let group = SiteGroup::open(dir.path())?;
    /// let me = Actor::system("doc");
    /// let portal = group.add_site(&me, &Origin::cli(), &NewSite { code: "www".into(), name: "无为县人民政府".into(), kind: "portal".into(), ..Default::default() })?;
    /// let health = group.column_health(&me, portal.id)?;
    /// assert_eq!(health.blank_count, 0);
    /// # Ok(()) }
    /// ```
    pub fn column_health(&self, actor: &Actor, site: SiteId) -> Result<SiteHealth, Error> {
        let activity = self.column_activity_of(site)?;
        self.column_health_of(actor, site, &activity, RATE_WINDOW_DAYS)
    }

    /// Columns whose owners should be reminded now: overdue, or lapsing within the
    /// reminder window, each with its owners.
    pub fn column_reminders_now(&self, actor: &Actor, site: SiteId) -> Result<Vec<ColumnReminder>, Error> {
        let activity = self.column_activity_of(site)?;
        self.column_reminders(actor, site, &activity, RATE_WINDOW_DAYS)
    }
}
