//! The live stream of an interview: a [`LiveRegistry`] of `tokio::sync::broadcast`
//! channels, one per interview with viewers, fed by the back-office actions of this
//! process (answers, remarks, start and end), and the server-sent-events endpoint
//! `/hudong/fangtan/{id}/live`.
//!
//! On connect the endpoint subscribes first, then sends what exists after the position
//! the viewer already has (`?after=N`, or the `Last-Event-ID` header an `EventSource`
//! sends when it reconnects), then what arrives; positions already sent are skipped, so
//! nothing is lost or doubled between the two. A viewer that falls too far behind gets a
//! `reload` event. The stream ends when the interview is no longer live. Only public
//! data travels: transcript entries (which have no contact) and the state.
//!
//! The registry is per process: with several portal nodes a viewer sees the entries
//! recorded on its own node live, and everything on reload. The page works without
//! JavaScript (it reloads itself while live).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use sitegroup::interaction::interview::{InterviewState, TranscriptEntry};
use tokio::sync::broadcast;

use crate::{AppError, AppState, run_blocking};

/// Messages a live viewer may fall behind by before being asked to reload.
const CAPACITY: usize = 256;

/// What the back office tells live viewers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LiveMessage {
    /// A new transcript entry (public data only).
    Entry(TranscriptEntry),
    /// The interview's state changed.
    State(InterviewState),
}

/// One broadcast channel per interview that has (or had) viewers, in memory.
#[derive(Debug, Default)]
pub(crate) struct LiveRegistry(Mutex<HashMap<i64, broadcast::Sender<LiveMessage>>>);

impl LiveRegistry {
    /// A receiver of the interview's messages from now on.
    pub(crate) fn subscribe(&self, interview: i64) -> broadcast::Receiver<LiveMessage> {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, tx| tx.receiver_count() > 0);
        map.entry(interview).or_insert_with(|| broadcast::channel(CAPACITY).0).subscribe()
    }

    /// Sends a message to the interview's current viewers; returns how many got it (0
    /// when nobody watches: nothing is kept).
    pub(crate) fn publish(&self, interview: i64, message: LiveMessage) -> usize {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let sent = match map.get(&interview) {
            Some(tx) => tx.send(message).unwrap_or(0),
            None => 0,
        };
        map.retain(|_, tx| tx.receiver_count() > 0);
        sent
    }

    /// Number of interviews with viewers.
    #[cfg(test)]
    fn channels(&self) -> usize {
        self.0.lock().map(|m| m.len()).unwrap_or(0)
    }
}

/// An entry event: the entry as the page shows it, as JSON (what `interview.js`
/// renders with `textContent`).
fn entry_event(st: &AppState, e: &TranscriptEntry) -> Event {
    let data = serde_json::to_string(&super::entry_row(st, e)).unwrap_or_else(|_| "{}".into());
    Event::default().event("entry").id(e.seq.to_string()).data(data)
}

fn state_event(st: &AppState, s: InterviewState) -> Event {
    let label = st.t(&format!("iv.state.{}", s.as_str()));
    Event::default().event("state").data(serde_json::json!({ "state": s.as_str(), "label": label }).to_string())
}

fn reload_event() -> Event {
    Event::default().event("reload").data("{}")
}

/// Query of the live endpoint.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct LiveQuery {
    #[serde(default)]
    after: Option<String>,
}

struct Tail {
    st: AppState,
    rx: broadcast::Receiver<LiveMessage>,
    last: i64,
    done: bool,
}

/// Events after the initial ones: entries past `last`, state changes; ends after a
/// state other than live, or with a `reload` when the viewer lagged.
fn tail(t: Tail) -> impl Stream<Item = Result<Event, Infallible>> + Send {
    stream::unfold(t, |mut t| async move {
        if t.done {
            return None;
        }
        loop {
            match t.rx.recv().await {
                Ok(LiveMessage::Entry(e)) if e.seq <= t.last => continue,
                Ok(LiveMessage::Entry(e)) => {
                    t.last = e.seq;
                    let ev = entry_event(&t.st, &e);
                    return Some((Ok(ev), t));
                }
                Ok(LiveMessage::State(s)) => {
                    t.done = s != InterviewState::Live;
                    let ev = state_event(&t.st, s);
                    return Some((Ok(ev), t));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    t.done = true;
                    return Some((Ok(reload_event()), t));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

/// `GET /hudong/fangtan/{id}/live`: the server-sent events of an interview.
pub(crate) async fn live(
    State(st): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<LiveQuery>,
) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::Status(StatusCode::NOT_FOUND))?;
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .or(q.after.as_deref())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    // Subscribe before reading, so nothing recorded in between is missed.
    let rx = st.0.live.subscribe(id);
    let now = run_blocking(&st, move |g| g.public_interview_live(id, after)).await?;
    let last = now.entries.last().map_or(after, |e| e.seq);
    let mut first: Vec<Result<Event, Infallible>> =
        vec![Ok(Event::default().retry(Duration::from_secs(5)).comment("fangtan"))];
    first.extend(now.entries.iter().map(|e| Ok(entry_event(&st, e))));
    first.push(Ok(state_event(&st, now.state)));
    let live = now.state == InterviewState::Live;
    let rest = tail(Tail { st: st.clone(), rx, last, done: !live });
    let events = stream::iter(first).chain(rest);
    let mut res = Sse::new(events).keep_alive(KeepAlive::default()).into_response();
    res.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sitegroup::interaction::interview::{EntryKind, Speaker};

    fn entry(seq: i64) -> TranscriptEntry {
        TranscriptEntry {
            seq,
            at: 0,
            kind: EntryKind::Remark,
            speaker: Speaker::Host,
            name: "李华".into(),
            text: format!("第{seq}句"),
            question: None,
        }
    }

    #[test]
    fn a_published_message_reaches_every_subscriber_of_that_interview_only() {
        let reg = LiveRegistry::default();
        assert_eq!(reg.publish(1, LiveMessage::Entry(entry(1))), 0, "nobody watches: nothing kept");
        let mut a = reg.subscribe(1);
        let mut b = reg.subscribe(1);
        let mut other = reg.subscribe(2);
        assert_eq!(reg.publish(1, LiveMessage::Entry(entry(2))), 2);
        assert_eq!(a.try_recv().ok(), Some(LiveMessage::Entry(entry(2))));
        assert_eq!(b.try_recv().ok(), Some(LiveMessage::Entry(entry(2))));
        assert!(other.try_recv().is_err(), "another interview's viewers get nothing");
        drop((a, b));
        assert_eq!(reg.publish(1, LiveMessage::State(InterviewState::Ended)), 0);
        assert_eq!(reg.channels(), 1, "channels without viewers are dropped");
    }
}
