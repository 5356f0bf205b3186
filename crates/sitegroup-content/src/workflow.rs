//! The publishing workflow: one state machine as a pure function.
//!
//! ```text
//!            edit                submit           approve (保密审查 sign-off)
//!   (new) ─────────► draft ─────────► submitted ─────────► reviewed
//!                      ▲                  │                   │  publish(now)       publish_due
//!                      └──── reject ──────┘                   ├──────────► published ◄──── scheduled
//!                      ▲   (with reason)                      └─ publish(at) ─────────────────┘
//!                      │ edit (any state but archived); a withdrawn document may also be resubmitted
//!   published / scheduled ── withdraw ──► withdrawn      published / withdrawn ── archive ──► archived
//! ```
//!
//! **Editing a published document never puts unreviewed text in public.** The document
//! keeps two revision pointers: `current_rev` (the working copy) and `published_rev`
//! (what the public sees). Editing a published document saves a new working revision
//! and moves the *workflow* back to draft, while `published_rev` keeps pointing at the
//! reviewed revision already public. Only `publish` (of a revision that was signed off,
//! `reviewed_rev == current_rev`) moves `published_rev`. So a published document with a
//! pending revision is public with its old text until the new one passes review.
//!
//! Withdrawing and archiving clear `published_rev`: public reads show nothing of the
//! document. Archived is terminal; a withdrawn document can be edited and go through
//! review again.

use serde::{Deserialize, Serialize};

use crate::ContentError;

/// Workflow state of a document's working revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocState {
    /// 草稿: being written.
    Draft,
    /// 待审: sent to the confidentiality review.
    Submitted,
    /// 已审: signed off by a reviewer; may be published.
    Reviewed,
    /// 定时发布: reviewed and waiting for its publication time.
    Scheduled,
    /// 已发布: the working revision is the public one.
    Published,
    /// 已撤回: taken off the public site.
    Withdrawn,
    /// 已归档: kept for the record, not public, not editable.
    Archived,
}

impl DocState {
    /// Every state.
    pub const ALL: [DocState; 7] = [
        DocState::Draft,
        DocState::Submitted,
        DocState::Reviewed,
        DocState::Scheduled,
        DocState::Published,
        DocState::Withdrawn,
        DocState::Archived,
    ];

    /// Stable name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            DocState::Draft => "draft",
            DocState::Submitted => "submitted",
            DocState::Reviewed => "reviewed",
            DocState::Scheduled => "scheduled",
            DocState::Published => "published",
            DocState::Withdrawn => "withdrawn",
            DocState::Archived => "archived",
        }
    }

    /// Parses [`DocState::as_str`]'s output.
    pub fn parse(s: &str) -> Option<DocState> {
        DocState::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// The workflow part of a document: its state and revision pointers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// State of the working revision.
    pub state: DocState,
    /// Working revision.
    pub current_rev: i64,
    /// Revision signed off by the review (cleared by any edit).
    pub reviewed_rev: Option<i64>,
    /// Public revision.
    pub published_rev: Option<i64>,
    /// Scheduled publication time.
    pub scheduled_at: Option<i64>,
}

impl Flow {
    /// A new document whose first revision is `rev`.
    pub fn new(rev: i64) -> Flow {
        Flow { state: DocState::Draft, current_rev: rev, reviewed_rev: None, published_rev: None, scheduled_at: None }
    }

    /// Whether the public sees a revision of the document.
    pub fn is_public(&self) -> bool {
        self.published_rev.is_some()
    }
}

/// A workflow command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// A new working revision was saved.
    Edit {
        /// The new revision.
        rev: i64,
    },
    /// Send to review.
    Submit,
    /// Sign off the working revision (保密审查).
    Approve,
    /// Send back to the editor.
    Reject,
    /// Publish now (`at: None`) or at a time.
    Publish {
        /// Scheduled time, unix seconds; a time not after `now` publishes now.
        at: Option<i64>,
    },
    /// The scheduler: publish if the scheduled time has come.
    PublishDue,
    /// Take off the public site.
    Withdraw,
    /// Archive.
    Archive,
}

impl Command {
    /// Short name, for errors and audit.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Edit { .. } => "edit",
            Command::Submit => "submit",
            Command::Approve => "approve",
            Command::Reject => "reject",
            Command::Publish { .. } => "publish",
            Command::PublishDue => "publish_due",
            Command::Withdraw => "withdraw",
            Command::Archive => "archive",
        }
    }
}

/// What a transition did, besides the new [`Flow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The new workflow state.
    pub flow: Flow,
    /// True when a revision went public by this step (a publication).
    pub went_public: bool,
    /// True when the document stopped being public by this step.
    pub left_public: bool,
}

/// Applies `cmd` to `flow` at time `now`. The only place that decides which transition
/// is legal; an illegal one is [`ContentError::IllegalTransition`].
///
/// ```
/// use sitegroup_content::workflow::{apply, Command, DocState, Flow};
/// let f = Flow::new(1);
/// let f = apply(&f, Command::Submit, 0).unwrap().flow;
/// assert!(apply(&f, Command::Publish { at: None }, 0).is_err()); // not reviewed
/// let f = apply(&f, Command::Approve, 0).unwrap().flow;
/// let o = apply(&f, Command::Publish { at: None }, 0).unwrap();
/// assert_eq!((o.flow.state, o.flow.published_rev, o.went_public), (DocState::Published, Some(1), true));
/// ```
pub fn apply(flow: &Flow, cmd: Command, now: i64) -> Result<Outcome, ContentError> {
    use DocState::*;
    let illegal = || ContentError::IllegalTransition { from: flow.state, action: cmd.name() };
    let mut next = *flow;
    let mut went_public = false;
    let mut left_public = false;
    match (flow.state, cmd) {
        (Archived, _) => return Err(illegal()),
        (_, Command::Edit { rev }) => {
            next.state = Draft;
            next.current_rev = rev;
            next.reviewed_rev = None;
            next.scheduled_at = None;
        }
        (Draft | Withdrawn, Command::Submit) => next.state = Submitted,
        (Submitted, Command::Approve) => {
            next.state = Reviewed;
            next.reviewed_rev = Some(flow.current_rev);
        }
        (Submitted, Command::Reject) => next.state = Draft,
        (Reviewed | Scheduled, Command::Publish { at }) => {
            if flow.reviewed_rev != Some(flow.current_rev) {
                return Err(illegal());
            }
            match at {
                Some(t) if t > now => {
                    next.state = Scheduled;
                    next.scheduled_at = Some(t);
                }
                _ => {
                    next.state = Published;
                    next.published_rev = Some(flow.current_rev);
                    next.scheduled_at = None;
                    went_public = true;
                }
            }
        }
        (Scheduled, Command::PublishDue) => {
            if flow.scheduled_at.is_none_or(|t| t > now) || flow.reviewed_rev != Some(flow.current_rev) {
                return Err(illegal());
            }
            next.state = Published;
            next.published_rev = Some(flow.current_rev);
            next.scheduled_at = None;
            went_public = true;
        }
        (_, Command::Withdraw) if flow.published_rev.is_some() || flow.state == Scheduled => {
            next.state = Withdrawn;
            next.published_rev = None;
            next.scheduled_at = None;
            next.reviewed_rev = None;
            left_public = flow.published_rev.is_some();
        }
        (Published | Withdrawn, Command::Archive) => {
            next.state = Archived;
            left_public = flow.published_rev.is_some();
            next.published_rev = None;
            next.scheduled_at = None;
        }
        _ => return Err(illegal()),
    }
    Ok(Outcome { flow: next, went_public, left_public })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn cmd() -> impl Strategy<Value = Command> {
        prop_oneof![
            Just(Command::Submit),
            Just(Command::Approve),
            Just(Command::Reject),
            (proptest::option::of(0i64..200)).prop_map(|at| Command::Publish { at }),
            Just(Command::PublishDue),
            Just(Command::Withdraw),
            Just(Command::Archive),
            Just(Command::Edit { rev: 0 }),
        ]
    }

    proptest! {
        /// Whatever the sequence: the public revision is always one that was signed off
        /// (approved while it was the working revision), and never a later edit.
        #[test]
        fn public_revision_was_always_reviewed(cmds in proptest::collection::vec((cmd(), 0i64..200), 0..60)) {
            let mut flow = Flow::new(1);
            let mut next_rev = 2;
            let mut signed_off: Vec<i64> = vec![];
            for (c, now) in cmds {
                let c = match c { Command::Edit { .. } => { next_rev += 1; Command::Edit { rev: next_rev } } c => c };
                let before = flow;
                match apply(&flow, c, now) {
                    Ok(o) => {
                        if c == Command::Approve { signed_off.push(before.current_rev); }
                        flow = o.flow;
                        prop_assert_eq!(o.went_public, before.published_rev != flow.published_rev && flow.published_rev.is_some());
                    }
                    Err(_) => prop_assert_eq!(flow, before),
                }
                if let Some(p) = flow.published_rev {
                    prop_assert!(signed_off.contains(&p));
                    prop_assert!(p <= flow.current_rev);
                }
                if matches!(flow.state, DocState::Withdrawn | DocState::Archived) {
                    prop_assert_eq!(flow.published_rev, None);
                }
                if flow.state == DocState::Published {
                    prop_assert_eq!(flow.published_rev, Some(flow.current_rev));
                }
            }
        }
    }

    #[test]
    fn editing_published_keeps_public_revision() {
        let mut f = Flow::new(1);
        for c in [Command::Submit, Command::Approve, Command::Publish { at: None }] {
            f = apply(&f, c, 0).unwrap().flow;
        }
        f = apply(&f, Command::Edit { rev: 2 }, 0).unwrap().flow;
        assert_eq!((f.state, f.current_rev, f.published_rev), (DocState::Draft, 2, Some(1)));
        assert!(apply(&f, Command::Publish { at: None }, 0).is_err());
        for c in [Command::Submit, Command::Approve] {
            f = apply(&f, c, 0).unwrap().flow;
        }
        let o = apply(&f, Command::Publish { at: None }, 0).unwrap();
        assert_eq!(o.flow.published_rev, Some(2));
        assert!(o.went_public);
    }

    #[test]
    fn scheduling() {
        let mut f = Flow::new(1);
        for c in [Command::Submit, Command::Approve] {
            f = apply(&f, c, 0).unwrap().flow;
        }
        f = apply(&f, Command::Publish { at: Some(100) }, 10).unwrap().flow;
        assert_eq!((f.state, f.scheduled_at, f.published_rev), (DocState::Scheduled, Some(100), None));
        assert!(apply(&f, Command::PublishDue, 99).is_err());
        let o = apply(&f, Command::PublishDue, 100).unwrap();
        assert_eq!(o.flow.state, DocState::Published);
        // Editing a scheduled document cancels the schedule and the sign-off.
        let e = apply(&f, Command::Edit { rev: 2 }, 50).unwrap().flow;
        assert_eq!((e.state, e.scheduled_at, e.reviewed_rev), (DocState::Draft, None, None));
        // Withdrawing a scheduled document cancels it.
        let w = apply(&f, Command::Withdraw, 50).unwrap();
        assert_eq!((w.flow.state, w.left_public), (DocState::Withdrawn, false));
    }

    #[test]
    fn archived_is_terminal_and_rejection_returns_to_draft() {
        let mut f = Flow::new(1);
        f = apply(&f, Command::Submit, 0).unwrap().flow;
        assert_eq!(apply(&f, Command::Reject, 0).unwrap().flow.state, DocState::Draft);
        for c in [Command::Approve, Command::Publish { at: None }, Command::Archive] {
            f = apply(&f, c, 0).unwrap().flow;
        }
        assert_eq!(f.state, DocState::Archived);
        assert!(apply(&f, Command::Edit { rev: 9 }, 0).is_err());
        assert!(apply(&f, Command::Withdraw, 0).is_err());
        assert!(apply(&Flow::new(1), Command::Withdraw, 0).is_err());
        assert!(apply(&Flow::new(1), Command::Archive, 0).is_err());
    }

    #[test]
    fn states_round_trip() {
        for s in DocState::ALL {
            assert_eq!(DocState::parse(s.as_str()), Some(s));
        }
    }
}
