//! The survey definition, its states and phases, and responses validated against it.
//!
//! Pure: no I/O, no clock (times come in as arguments). Question and option ids are
//! their 1-based positions, assigned when a definition is validated; they are what a
//! response refers to and what a form field is named after (`q{id}`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sitegroup_core::{SiteId, ValidationError};

use super::SurveyError;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest introduction, in characters.
pub const MAX_INTRO_CHARS: usize = 5_000;
/// Most questions in a survey.
pub const MAX_QUESTIONS: usize = 50;
/// Longest question text, in characters.
pub const MAX_QUESTION_CHARS: usize = 500;
/// Most options of a choice question.
pub const MAX_OPTIONS: usize = 30;
/// Longest option label, in characters.
pub const MAX_OPTION_CHARS: usize = 200;
/// Default rating scale (1 to 5).
pub const DEFAULT_SCALE: u8 = 5;
/// Largest rating scale.
pub const MAX_SCALE: u8 = 10;
/// Default longest free-text answer, in characters.
pub const DEFAULT_TEXT_CHARS: u32 = 1_000;
/// Largest limit a free-text question may set, in characters.
pub const MAX_TEXT_CHARS: u32 = 5_000;

/// 题型 (question kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// 单选: exactly one option.
    Single,
    /// 多选: one or more options, at most `max_choices`.
    Multiple,
    /// 评分: a whole number from 1 to the scale.
    Rating,
    /// 填空: free text, at most `max_chars` characters.
    Text,
}

impl QuestionKind {
    /// Every kind, in display order.
    pub const ALL: [QuestionKind; 4] =
        [QuestionKind::Single, QuestionKind::Multiple, QuestionKind::Rating, QuestionKind::Text];

    /// Stable name (`single`, `multiple`, `rating`, `text`).
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::Rating => "rating",
            QuestionKind::Text => "text",
        }
    }

    /// Parses [`QuestionKind::as_str`]'s output.
    pub fn parse(s: &str) -> Option<QuestionKind> {
        let s = s.trim();
        QuestionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the question offers options.
    pub fn is_choice(self) -> bool {
        matches!(self, QuestionKind::Single | QuestionKind::Multiple)
    }
}

/// An option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyOption {
    /// 1-based position.
    pub id: u32,
    /// The label, trimmed.
    pub label: String,
}

/// A validated question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// 1-based position (题号).
    pub id: u32,
    /// The kind.
    pub kind: QuestionKind,
    /// The question, trimmed.
    pub text: String,
    /// 必答: a response must answer it.
    pub required: bool,
    /// Options (choice questions; empty otherwise).
    #[serde(default)]
    pub options: Vec<SurveyOption>,
    /// Most options a multiple-choice answer may pick (1 for single choice, 0 otherwise).
    #[serde(default)]
    pub max_choices: u32,
    /// Rating scale: answers are 1..=scale (0 for other kinds).
    #[serde(default)]
    pub scale: u8,
    /// Longest free-text answer in characters (0 for other kinds).
    #[serde(default)]
    pub max_chars: u32,
}

impl Question {
    /// The option with this id.
    pub fn option(&self, id: u32) -> Option<&SurveyOption> {
        self.options.iter().find(|o| o.id == id)
    }
}

/// A question as an editor enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewQuestion {
    /// The kind.
    pub kind: QuestionKind,
    /// The question.
    pub text: String,
    /// Required or optional.
    #[serde(default)]
    pub required: bool,
    /// Option labels (choice questions; ignored otherwise).
    #[serde(default)]
    pub options: Vec<String>,
    /// Multiple choice: most options to pick (default: all of them).
    #[serde(default)]
    pub max_choices: Option<u32>,
    /// Rating: the scale (default 5; 2 to 10).
    #[serde(default)]
    pub scale: Option<u8>,
    /// Free text: the longest answer (default 1,000; 1 to 5,000 characters).
    #[serde(default)]
    pub max_chars: Option<u32>,
}

impl NewQuestion {
    /// A question of `kind` with default limits.
    pub fn new(kind: QuestionKind, text: &str, required: bool, options: &[&str]) -> NewQuestion {
        NewQuestion {
            kind,
            text: text.to_string(),
            required,
            options: options.iter().map(|o| o.to_string()).collect(),
            max_choices: None,
            scale: None,
            max_chars: None,
        }
    }
}

/// A survey as an editor enters it (create or edit a draft).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSurvey {
    /// 标题.
    pub title: String,
    /// 说明: plain text shown above the questions.
    #[serde(default)]
    pub intro: String,
    /// The questions, in order.
    pub questions: Vec<NewQuestion>,
    /// Responses accepted from (unix seconds).
    pub opens_at: i64,
    /// Responses accepted until, exclusive (unix seconds).
    pub closes_at: i64,
    /// Whether visitors see the results (counts and charts; free text never).
    #[serde(default)]
    pub results_public: bool,
}

/// A [`NewSurvey`] that passed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidSurvey {
    /// Title, trimmed.
    pub title: String,
    /// Introduction, trimmed.
    pub intro: String,
    /// Questions with their ids.
    pub questions: Vec<Question>,
    /// Opens.
    pub opens_at: i64,
    /// Closes (exclusive).
    pub closes_at: i64,
    /// Results public.
    pub results_public: bool,
}

fn limit_err(question: u32, what: &'static str, min: u32, max: u32) -> SurveyError {
    SurveyError::BadLimit { question, what, min, max }
}

impl NewSurvey {
    /// Checks and normalises: a title of 1–200 characters; an introduction of at most
    /// 5,000; 1–50 questions of 1–500 characters each; choice questions with 2–30
    /// distinct options of 1–200 characters; a most-choices limit between 1 and the
    /// number of options; a rating scale of 2–10; a text limit of 1–5,000 characters;
    /// and a period that closes after it opens.
    pub fn validate(&self) -> Result<ValidSurvey, SurveyError> {
        let title = sitegroup_core::error::required_text("title", &self.title, MAX_TITLE_CHARS)?;
        let intro = self.intro.trim().to_string();
        let len = intro.chars().count();
        if len > MAX_INTRO_CHARS {
            return Err(ValidationError::TooLong { field: "intro", len, max: MAX_INTRO_CHARS }.into());
        }
        if intro.contains('\0') {
            return Err(ValidationError::Malformed { field: "intro", reason: "contains a NUL character".into() }.into());
        }
        if self.questions.is_empty() || self.questions.len() > MAX_QUESTIONS {
            return Err(SurveyError::QuestionCount { count: self.questions.len(), max: MAX_QUESTIONS });
        }
        let mut questions = Vec::with_capacity(self.questions.len());
        for (i, q) in self.questions.iter().enumerate() {
            questions.push(validate_question(u32::try_from(i + 1).unwrap_or(u32::MAX), q)?);
        }
        if self.closes_at <= self.opens_at {
            return Err(SurveyError::BadPeriod);
        }
        Ok(ValidSurvey {
            title,
            intro,
            questions,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            results_public: self.results_public,
        })
    }
}

fn validate_question(id: u32, q: &NewQuestion) -> Result<Question, SurveyError> {
    let text = sitegroup_core::error::required_text("question", &q.text, MAX_QUESTION_CHARS)?;
    let mut out = Question {
        id,
        kind: q.kind,
        text,
        required: q.required,
        options: vec![],
        max_choices: 0,
        scale: 0,
        max_chars: 0,
    };
    match q.kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let labels: Vec<&str> = q.options.iter().map(|o| o.trim()).filter(|o| !o.is_empty()).collect();
            if labels.len() < 2 || labels.len() > MAX_OPTIONS {
                return Err(SurveyError::OptionCount { question: id, count: labels.len(), max: MAX_OPTIONS });
            }
            let mut seen = BTreeSet::new();
            for (j, label) in labels.iter().enumerate() {
                let label = sitegroup_core::error::required_text("option", label, MAX_OPTION_CHARS)?;
                if !seen.insert(label.clone()) {
                    return Err(SurveyError::DuplicateOption { question: id, label });
                }
                out.options.push(SurveyOption { id: u32::try_from(j + 1).unwrap_or(u32::MAX), label });
            }
            let n = u32::try_from(out.options.len()).unwrap_or(u32::MAX);
            out.max_choices = if q.kind == QuestionKind::Single {
                1
            } else {
                match q.max_choices {
                    None => n,
                    Some(m) if (1..=n).contains(&m) => m,
                    Some(_) => return Err(limit_err(id, "max_choices", 1, n)),
                }
            };
        }
        QuestionKind::Rating => {
            let scale = q.scale.unwrap_or(DEFAULT_SCALE);
            if !(2..=MAX_SCALE).contains(&scale) {
                return Err(limit_err(id, "scale", 2, u32::from(MAX_SCALE)));
            }
            out.scale = scale;
        }
        QuestionKind::Text => {
            let max = q.max_chars.unwrap_or(DEFAULT_TEXT_CHARS);
            if !(1..=MAX_TEXT_CHARS).contains(&max) {
                return Err(limit_err(id, "max_chars", 1, MAX_TEXT_CHARS));
            }
            out.max_chars = max;
        }
    }
    Ok(out)
}

/// 状态 (state of a survey as stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyState {
    /// 草稿: being written; the only state in which questions change.
    Draft,
    /// 已发布: public; takes responses within its period.
    Published,
    /// 已结束: closed by an editor (before or after the end of its period).
    Closed,
}

impl SurveyState {
    /// Every state.
    pub const ALL: [SurveyState; 3] = [SurveyState::Draft, SurveyState::Published, SurveyState::Closed];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyState::Draft => "draft",
            SurveyState::Published => "published",
            SurveyState::Closed => "closed",
        }
    }

    /// Parses [`SurveyState::as_str`]'s output.
    pub fn parse(s: &str) -> Option<SurveyState> {
        SurveyState::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Where a survey stands at a given time (what a visitor sees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyPhase {
    /// Not published.
    Draft,
    /// 未开始: published, before its period.
    Upcoming,
    /// 进行中: taking responses.
    Open,
    /// 已结束: after its period, or closed by an editor.
    Closed,
}

impl SurveyPhase {
    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            SurveyPhase::Draft => "draft",
            SurveyPhase::Upcoming => "upcoming",
            SurveyPhase::Open => "open",
            SurveyPhase::Closed => "closed",
        }
    }
}

/// A stored survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    /// Database id.
    pub id: i64,
    /// The site it belongs to (whose editors run it).
    pub site: SiteId,
    /// Title.
    pub title: String,
    /// Introduction (plain text).
    pub intro: String,
    /// Questions.
    pub questions: Vec<Question>,
    /// Opens (unix seconds).
    pub opens_at: i64,
    /// Closes, exclusive (unix seconds).
    pub closes_at: i64,
    /// Whether visitors see the results.
    pub results_public: bool,
    /// State.
    pub state: SurveyState,
    /// Responses received.
    pub responses: i64,
    /// Who created it (actor label).
    pub created_by: String,
    /// Created.
    pub created_at: i64,
    /// Last changed.
    pub updated_at: i64,
    /// First published.
    pub published_at: Option<i64>,
}

impl Survey {
    /// The phase at `now`.
    pub fn phase(&self, now: i64) -> SurveyPhase {
        match self.state {
            SurveyState::Draft => SurveyPhase::Draft,
            SurveyState::Closed => SurveyPhase::Closed,
            SurveyState::Published if now < self.opens_at => SurveyPhase::Upcoming,
            SurveyState::Published if now < self.closes_at => SurveyPhase::Open,
            SurveyState::Published => SurveyPhase::Closed,
        }
    }

    /// Whether a response may come in at `now`.
    pub fn check_open(&self, now: i64) -> Result<(), SurveyError> {
        match self.phase(now) {
            SurveyPhase::Open => Ok(()),
            phase => Err(SurveyError::NotOpen { phase }),
        }
    }

    /// The question with this id.
    pub fn question(&self, id: u32) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Whether the public sees it (published or closed).
    pub fn is_public(&self) -> bool {
        self.state != SurveyState::Draft
    }
}

/// Checks that the definition may still change (drafts only).
pub fn check_editable(state: SurveyState) -> Result<(), SurveyError> {
    if state == SurveyState::Draft { Ok(()) } else { Err(SurveyError::IllegalState { state, action: "edit" }) }
}

/// The state after publishing (drafts only).
pub fn publish(state: SurveyState) -> Result<SurveyState, SurveyError> {
    match state {
        SurveyState::Draft => Ok(SurveyState::Published),
        state => Err(SurveyError::IllegalState { state, action: "publish" }),
    }
}

/// The state and closing time after closing at `now` (published surveys only; the
/// period ends now unless it already ended).
pub fn close(state: SurveyState, closes_at: i64, now: i64) -> Result<(SurveyState, i64), SurveyError> {
    match state {
        SurveyState::Published => Ok((SurveyState::Closed, closes_at.min(now))),
        state => Err(SurveyError::IllegalState { state, action: "close" }),
    }
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// Option ids (single or multiple choice).
    Choices(Vec<u32>),
    /// A rating.
    Rating(u8),
    /// Free text, as typed (trimmed at the ends).
    Text(String),
}

/// A response: answers by question id. Unanswered optional questions are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(pub BTreeMap<u32, Answer>);

impl Answers {
    /// The answer to a question.
    pub fn get(&self, question: u32) -> Option<&Answer> {
        self.0.get(&question)
    }

    /// Reads answers from form fields named `q{id}` (repeated for multiple choice):
    /// choice values are option ids, a rating is its number, text is as typed. Blank
    /// values count as no answer; fields of other names are ignored. Malformed values
    /// are refused with the question named; the result still has to pass
    /// [`validate`].
    pub fn from_fields(questions: &[Question], fields: &[(String, String)]) -> Result<Answers, SurveyError> {
        let mut out = BTreeMap::new();
        for q in questions {
            let name = format!("q{}", q.id);
            let values: Vec<&str> = fields
                .iter()
                .filter(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.trim().is_empty())
                .collect();
            if values.is_empty() {
                continue;
            }
            let answer = match q.kind {
                QuestionKind::Single | QuestionKind::Multiple => {
                    let mut ids = Vec::with_capacity(values.len());
                    for v in &values {
                        let id = v.trim().parse::<u32>().map_err(|_| SurveyError::UnknownOption {
                            question: q.id,
                            option: v.chars().take(40).collect(),
                        })?;
                        ids.push(id);
                    }
                    Answer::Choices(ids)
                }
                QuestionKind::Rating => {
                    let [v] = values.as_slice() else { return Err(SurveyError::MalformedAnswer { question: q.id }) };
                    let n = v.trim().parse::<u8>().map_err(|_| SurveyError::RatingOutOfRange {
                        question: q.id,
                        value: v.chars().take(20).collect(),
                        scale: q.scale,
                    })?;
                    Answer::Rating(n)
                }
                QuestionKind::Text => {
                    let [v] = values.as_slice() else { return Err(SurveyError::MalformedAnswer { question: q.id }) };
                    Answer::Text((*v).to_string())
                }
            };
            out.insert(q.id, answer);
        }
        Ok(Answers(out))
    }
}

/// Validates a response against the questions and normalises it (choices deduplicated
/// and in option order, text trimmed at the ends; empty answers dropped). Refuses, with
/// the question named: an answer to an unknown question, an answer of the wrong kind,
/// an unknown option, more choices than allowed (one for single choice), a rating
/// outside `1..=scale`, text longer than the question's limit or holding a NUL, and a
/// required question left unanswered.
pub fn validate(questions: &[Question], answers: &Answers) -> Result<Answers, SurveyError> {
    if let Some(unknown) = answers.0.keys().find(|id| !questions.iter().any(|q| q.id == **id)) {
        return Err(SurveyError::UnknownQuestion { question: *unknown });
    }
    let mut out = BTreeMap::new();
    for q in questions {
        let normalised = match (q.kind, answers.get(q.id)) {
            (_, None) => None,
            (QuestionKind::Single | QuestionKind::Multiple, Some(Answer::Choices(ids))) => {
                let mut set = BTreeSet::new();
                for id in ids {
                    if q.option(*id).is_none() {
                        return Err(SurveyError::UnknownOption { question: q.id, option: id.to_string() });
                    }
                    set.insert(*id);
                }
                let max = q.max_choices.max(1) as usize;
                if set.len() > max {
                    return Err(SurveyError::TooManyChoices { question: q.id, count: set.len(), max });
                }
                (!set.is_empty()).then(|| Answer::Choices(set.into_iter().collect()))
            }
            (QuestionKind::Rating, Some(Answer::Rating(n))) => {
                if *n < 1 || *n > q.scale {
                    return Err(SurveyError::RatingOutOfRange { question: q.id, value: n.to_string(), scale: q.scale });
                }
                Some(Answer::Rating(*n))
            }
            (QuestionKind::Text, Some(Answer::Text(t))) => {
                let t = t.trim();
                let len = t.chars().count();
                if len > q.max_chars as usize {
                    return Err(SurveyError::TextTooLong { question: q.id, len, max: q.max_chars as usize });
                }
                if t.contains('\0') {
                    return Err(SurveyError::MalformedAnswer { question: q.id });
                }
                (!t.is_empty()).then(|| Answer::Text(t.to_string()))
            }
            (_, Some(_)) => return Err(SurveyError::MalformedAnswer { question: q.id }),
        };
        match normalised {
            Some(a) => {
                out.insert(q.id, a);
            }
            None if q.required => return Err(SurveyError::MissingAnswer { question: q.id }),
            None => {}
        }
    }
    Ok(Answers(out))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    /// The fixture survey of the unit tests: single (required), multiple (at most 2),
    /// rating 1–5 (required), text (optional, at most 10 characters).
    pub(crate) fn fixture() -> ValidSurvey {
        let mut multiple =
            NewQuestion::new(QuestionKind::Multiple, "您通过哪些渠道办事？", false, &["窗口", "网站", "手机"]);
        multiple.max_choices = Some(2);
        let mut text = NewQuestion::new(QuestionKind::Text, "其他建议", false, &[]);
        text.max_chars = Some(10);
        NewSurvey {
            title: "政务服务满意度调查".into(),
            intro: "感谢参与".into(),
            questions: vec![
                NewQuestion::new(QuestionKind::Single, "您对办事大厅满意吗？", true, &["满意", "基本满意", "不满意"]),
                multiple,
                NewQuestion::new(QuestionKind::Rating, "整体评分", true, &[]),
                text,
            ],
            opens_at: 100,
            closes_at: 200,
            results_public: true,
        }
        .validate()
        .unwrap()
    }

    fn answers(pairs: &[(u32, Answer)]) -> Answers {
        Answers(pairs.iter().cloned().collect())
    }

    #[test]
    fn definitions_are_validated() {
        let s = fixture();
        assert_eq!(s.questions.len(), 4);
        assert_eq!(s.questions[0].max_choices, 1);
        assert_eq!(s.questions[1].max_choices, 2);
        assert_eq!(s.questions[2].scale, 5);
        assert_eq!(s.questions[3].max_chars, 10);
        assert_eq!(s.questions[1].options[2], SurveyOption { id: 3, label: "手机".into() });

        let base = NewSurvey {
            title: "标题".into(),
            questions: vec![NewQuestion::new(QuestionKind::Text, "问题", false, &[])],
            opens_at: 1,
            closes_at: 2,
            ..Default::default()
        };
        assert!(base.validate().is_ok());
        let mut s = base.clone();
        s.title = " ".into();
        assert!(matches!(s.validate(), Err(SurveyError::Invalid(ValidationError::Empty { field: "title" }))));
        let mut s = base.clone();
        s.questions.clear();
        assert!(matches!(s.validate(), Err(SurveyError::QuestionCount { count: 0, .. })));
        let mut s = base.clone();
        s.closes_at = 1;
        assert!(matches!(s.validate(), Err(SurveyError::BadPeriod)));
        let mut s = base.clone();
        s.questions = vec![NewQuestion::new(QuestionKind::Single, "问", true, &["一"])];
        assert!(matches!(s.validate(), Err(SurveyError::OptionCount { question: 1, count: 1, .. })));
        s.questions = vec![NewQuestion::new(QuestionKind::Single, "问", true, &["一", " 一 "])];
        assert!(matches!(s.validate(), Err(SurveyError::DuplicateOption { question: 1, .. })));
        let mut q = NewQuestion::new(QuestionKind::Multiple, "问", true, &["一", "二"]);
        q.max_choices = Some(3);
        s.questions = vec![q];
        assert!(matches!(s.validate(), Err(SurveyError::BadLimit { what: "max_choices", .. })));
        let mut q = NewQuestion::new(QuestionKind::Rating, "问", true, &[]);
        q.scale = Some(11);
        s.questions = vec![q];
        assert!(matches!(s.validate(), Err(SurveyError::BadLimit { what: "scale", .. })));
        let mut s = base;
        s.questions[0].text = "长".repeat(MAX_QUESTION_CHARS + 1);
        assert!(matches!(s.validate(), Err(SurveyError::Invalid(ValidationError::TooLong { .. }))));
    }

    #[test]
    fn a_good_response_is_normalised() {
        let s = fixture();
        let a = answers(&[
            (1, Answer::Choices(vec![2])),
            (2, Answer::Choices(vec![3, 1, 3])),
            (3, Answer::Rating(4)),
            (4, Answer::Text("  <b>好</b>  ".into())),
        ]);
        let v = validate(&s.questions, &a).unwrap();
        assert_eq!(v.get(2), Some(&Answer::Choices(vec![1, 3])));
        assert_eq!(v.get(4), Some(&Answer::Text("<b>好</b>".into())), "kept as typed, only trimmed");
        // Optional questions may be left out; blank text counts as no answer.
        let a = answers(&[(1, Answer::Choices(vec![1])), (3, Answer::Rating(1)), (4, Answer::Text("  ".into()))]);
        let v = validate(&s.questions, &a).unwrap();
        assert_eq!(v.0.len(), 2);
    }

    #[test]
    fn bad_responses_are_refused_with_the_question_named() {
        let s = fixture();
        let ok = [(1, Answer::Choices(vec![1])), (3, Answer::Rating(3))];
        let with = |extra: (u32, Answer)| {
            let mut a: BTreeMap<u32, Answer> = ok.iter().cloned().collect();
            a.insert(extra.0, extra.1);
            validate(&s.questions, &Answers(a))
        };
        // Missing required.
        assert!(matches!(
            validate(&s.questions, &answers(&[(3, Answer::Rating(3))])),
            Err(SurveyError::MissingAnswer { question: 1 })
        ));
        assert!(matches!(
            validate(&s.questions, &answers(&[(1, Answer::Choices(vec![]))])),
            Err(SurveyError::MissingAnswer { question: 1 })
        ));
        // Unknown option.
        assert!(matches!(with((1, Answer::Choices(vec![9]))), Err(SurveyError::UnknownOption { question: 1, .. })));
        // Too many choices: single takes one, this multiple at most two.
        assert!(matches!(
            with((1, Answer::Choices(vec![1, 2]))),
            Err(SurveyError::TooManyChoices { question: 1, count: 2, max: 1 })
        ));
        assert!(matches!(
            with((2, Answer::Choices(vec![1, 2, 3]))),
            Err(SurveyError::TooManyChoices { question: 2, count: 3, max: 2 })
        ));
        // Rating out of range.
        assert!(matches!(with((3, Answer::Rating(0))), Err(SurveyError::RatingOutOfRange { question: 3, .. })));
        assert!(matches!(with((3, Answer::Rating(6))), Err(SurveyError::RatingOutOfRange { question: 3, .. })));
        // Free text too long (10 characters at most).
        assert!(matches!(
            with((4, Answer::Text("一二三四五六七八九十一".into()))),
            Err(SurveyError::TextTooLong { question: 4, len: 11, max: 10 })
        ));
        assert!(with((4, Answer::Text("一二三四五六七八九十".into()))).is_ok());
        // Unknown question, wrong kind.
        assert!(matches!(with((7, Answer::Rating(1))), Err(SurveyError::UnknownQuestion { question: 7 })));
        assert!(matches!(with((3, Answer::Text("5".into()))), Err(SurveyError::MalformedAnswer { question: 3 })));
    }

    #[test]
    fn form_fields_are_read_per_question() {
        let s = fixture();
        let f = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let a = Answers::from_fields(
            &s.questions,
            &f(&[("csrf", "x"), ("q1", "2"), ("q2", "1"), ("q2", "3"), ("q3", "5"), ("q4", ""), ("q9", "1")]),
        )
        .unwrap();
        assert_eq!(a.get(1), Some(&Answer::Choices(vec![2])));
        assert_eq!(a.get(2), Some(&Answer::Choices(vec![1, 3])));
        assert_eq!(a.get(3), Some(&Answer::Rating(5)));
        assert_eq!(a.get(4), None);
        assert!(matches!(
            Answers::from_fields(&s.questions, &f(&[("q1", "x")])),
            Err(SurveyError::UnknownOption { question: 1, .. })
        ));
        assert!(matches!(
            Answers::from_fields(&s.questions, &f(&[("q3", "9999")])),
            Err(SurveyError::RatingOutOfRange { question: 3, .. })
        ));
        assert!(matches!(
            Answers::from_fields(&s.questions, &f(&[("q4", "a"), ("q4", "b")])),
            Err(SurveyError::MalformedAnswer { question: 4 })
        ));
    }

    #[test]
    fn phases_follow_state_and_period() {
        let v = fixture();
        let mut s = Survey {
            id: 1,
            site: SiteId(1),
            title: v.title,
            intro: v.intro,
            questions: v.questions,
            opens_at: 100,
            closes_at: 200,
            results_public: true,
            state: SurveyState::Draft,
            responses: 0,
            created_by: "x".into(),
            created_at: 0,
            updated_at: 0,
            published_at: None,
        };
        assert_eq!(s.phase(150), SurveyPhase::Draft);
        s.state = publish(s.state).unwrap();
        assert_eq!(s.phase(99), SurveyPhase::Upcoming);
        assert_eq!(s.phase(100), SurveyPhase::Open);
        assert_eq!(s.phase(199), SurveyPhase::Open);
        assert_eq!(s.phase(200), SurveyPhase::Closed);
        assert!(matches!(s.check_open(250), Err(SurveyError::NotOpen { phase: SurveyPhase::Closed })));
        assert!(check_editable(s.state).is_err());
        assert!(publish(s.state).is_err());
        let (state, closes) = close(s.state, s.closes_at, 150).unwrap();
        assert_eq!((state, closes), (SurveyState::Closed, 150));
        assert!(close(SurveyState::Draft, 200, 150).is_err());
    }
}
