//! Persistence of surveys and responses: the only SQL of the survey module. Portable
//! SQL for SQLite and PostgreSQL.

use sitegroup_core::SiteId;
use sitegroup_store::{Row, StoreError, Tx, Value, params};

use super::model::{Answers, Question, Survey, SurveyState, ValidSurvey};
use super::results::StoredResponse;

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

const COLS: &str = "id, site_id, title, intro, questions, opens_at, closes_at, results_public, state, responses, \
    created_by, created_at, updated_at, published_at";

fn survey_from(row: &Row) -> Result<Survey, StoreError> {
    let questions: String = row.get(4)?;
    let state: String = row.get(8)?;
    Ok(Survey {
        id: row.get(0)?,
        site: SiteId(row.get(1)?),
        title: row.get(2)?,
        intro: row.get(3)?,
        questions: serde_json::from_str::<Vec<Question>>(&questions).map_err(|e| corrupt("questions", e))?,
        opens_at: row.get(5)?,
        closes_at: row.get(6)?,
        results_public: row.get(7)?,
        state: SurveyState::parse(&state).ok_or_else(|| corrupt("survey state", &state))?,
        responses: row.get(9)?,
        created_by: row.get(10)?,
        created_at: row.get(11)?,
        updated_at: row.get(12)?,
        published_at: row.get(13)?,
    })
}

fn questions_json(v: &ValidSurvey) -> Result<String, StoreError> {
    serde_json::to_string(&v.questions).map_err(|e| corrupt("questions", e))
}

/// Inserts a draft; returns its id.
pub fn insert(tx: &mut Tx<'_>, site: SiteId, v: &ValidSurvey, by: &str, at: i64) -> Result<i64, StoreError> {
    tx.query_one(
        "INSERT INTO surveys (site_id, title, intro, questions, opens_at, closes_at, results_public, state, responses, \
         created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', 0, ?, ?, ?) RETURNING id",
        params![
            site.0,
            v.title.as_str(),
            v.intro.as_str(),
            questions_json(v)?,
            v.opens_at,
            v.closes_at,
            v.results_public,
            by,
            at,
            at
        ],
    )?
    .get(0)
}

/// Replaces a draft's definition. [`StoreError::NotFound`] when it is not (or no longer) a draft.
pub fn update_draft(tx: &mut Tx<'_>, id: i64, v: &ValidSurvey, at: i64) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE surveys SET title = ?, intro = ?, questions = ?, opens_at = ?, closes_at = ?, results_public = ?, \
         updated_at = ? WHERE id = ? AND state = 'draft'",
        params![
            v.title.as_str(),
            v.intro.as_str(),
            questions_json(v)?,
            v.opens_at,
            v.closes_at,
            v.results_public,
            at,
            id
        ],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Moves a survey from state `from` to `to`, setting its closing time (optimistic:
/// [`StoreError::NotFound`] when it is no longer in `from`).
pub fn set_state(
    tx: &mut Tx<'_>,
    id: i64,
    from: SurveyState,
    to: SurveyState,
    closes_at: i64,
    at: i64,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE surveys SET state = ?, closes_at = ?, updated_at = ?, published_at = COALESCE(published_at, ?) \
         WHERE id = ? AND state = ?",
        params![to.as_str(), closes_at, at, (to == SurveyState::Published).then_some(at), id, from.as_str()],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A survey by id.
pub fn survey(tx: &mut Tx<'_>, id: i64) -> Result<Option<Survey>, StoreError> {
    tx.query_opt(&format!("SELECT {COLS} FROM surveys WHERE id = ?"), params![id])?.map(|r| survey_from(&r)).transpose()
}

/// Surveys, newest first: of some sites (`None`: all) and in some states (empty: all).
pub fn list(tx: &mut Tx<'_>, sites: Option<&[SiteId]>, states: &[SurveyState]) -> Result<Vec<Survey>, StoreError> {
    let mut sql = format!("SELECT {COLS} FROM surveys WHERE 1 = 1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(sites) = sites {
        if sites.is_empty() {
            return Ok(vec![]);
        }
        sql.push_str(&format!(" AND site_id IN ({})", vec!["?"; sites.len()].join(", ")));
        args.extend(sites.iter().map(|s| Value::Int(s.0)));
    }
    if !states.is_empty() {
        sql.push_str(&format!(" AND state IN ({})", vec!["?"; states.len()].join(", ")));
        args.extend(states.iter().map(|s| Value::from(s.as_str())));
    }
    sql.push_str(" ORDER BY opens_at DESC, id DESC");
    tx.query(&sql, &args)?.iter().map(survey_from).collect()
}

/// Counts one more response on a published survey and locks its row until the
/// transaction ends (on PostgreSQL the row lock serialises concurrent responses to one
/// survey, so the per-address count below sees every earlier one; SQLite has one
/// writer anyway). Returns false when the survey is not published.
pub fn lock_for_response(tx: &mut Tx<'_>, id: i64) -> Result<bool, StoreError> {
    Ok(tx.execute("UPDATE surveys SET responses = responses + 1 WHERE id = ? AND state = 'published'", params![id])?
        > 0)
}

/// Whether this respondent hash already answered the survey.
pub fn has_responded(tx: &mut Tx<'_>, survey: i64, respondent_hash: &str) -> Result<bool, StoreError> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM survey_responses WHERE survey_id = ? AND respondent_hash = ?",
            params![survey, respondent_hash],
        )?
        .is_some())
}

/// Responses to the survey from this address hash at or after `since`.
pub fn count_from_address(tx: &mut Tx<'_>, survey: i64, address_hash: &str, since: i64) -> Result<i64, StoreError> {
    tx.query_one(
        "SELECT COUNT(*) FROM survey_responses WHERE survey_id = ? AND address_hash = ? AND at >= ?",
        params![survey, address_hash, since],
    )?
    .get(0)
}

/// What a new response row holds.
#[derive(Debug, Clone)]
pub struct NewResponseRow<'a> {
    /// The survey.
    pub survey: i64,
    /// Salted hash of the respondent key.
    pub respondent_hash: &'a str,
    /// Salted hash of the client address.
    pub address_hash: &'a str,
    /// Validated answers.
    pub answers: &'a Answers,
    /// `web` or `paper` (recorded by an editor).
    pub source: &'a str,
    /// When, unix seconds.
    pub at: i64,
}

/// Inserts a response; a second one of the same respondent is
/// [`StoreError::UniqueViolation`].
pub fn insert_response(tx: &mut Tx<'_>, r: &NewResponseRow<'_>) -> Result<i64, StoreError> {
    let answers = serde_json::to_string(r.answers).map_err(|e| corrupt("answers", e))?;
    tx.query_one(
        "INSERT INTO survey_responses (survey_id, respondent_hash, address_hash, answers, source, at) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        params![r.survey, r.respondent_hash, r.address_hash, answers, r.source, r.at],
    )?
    .get(0)
}

/// Counts one more response without the published check (a recorded paper response).
pub fn count_response(tx: &mut Tx<'_>, id: i64) -> Result<(), StoreError> {
    tx.execute("UPDATE surveys SET responses = responses + 1 WHERE id = ?", params![id])?;
    Ok(())
}

/// Every response of a survey, oldest first.
pub fn responses(tx: &mut Tx<'_>, survey: i64) -> Result<Vec<StoredResponse>, StoreError> {
    tx.query("SELECT id, at, answers FROM survey_responses WHERE survey_id = ? ORDER BY at, id", params![survey])?
        .iter()
        .map(|r| {
            let answers: String = r.get(2)?;
            Ok(StoredResponse {
                id: r.get(0)?,
                at: r.get(1)?,
                answers: serde_json::from_str(&answers).map_err(|e| corrupt("answers", e))?,
            })
        })
        .collect()
}

/// Every `survey.*` setting.
pub fn settings(tx: &mut Tx<'_>) -> Result<Vec<(String, String)>, StoreError> {
    tx.query("SELECT key, value FROM settings WHERE key LIKE 'survey.%' ORDER BY key", params![])?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect()
}
