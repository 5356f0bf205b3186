//! Results of a survey: counts per option, the mean and distribution of ratings, and
//! the list of free-text answers — one pure function over the stored responses.
//!
//! Counting rules: `answered` is the number of responses that answered the question;
//! an option's `share` is its count divided by `answered` (so the shares of a
//! multiple-choice question may add up to more than 1); a rating's mean is over the
//! responses that rated. An answer that does not fit its question (impossible for
//! rows written through the facade) is skipped, never a panic.

use serde::{Deserialize, Serialize};

use super::model::{Answer, Answers, QuestionKind, Survey};

/// A stored response, as the results and exports need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredResponse {
    /// Response id (答卷编号).
    pub id: i64,
    /// Received, unix seconds.
    pub at: i64,
    /// The validated answers.
    pub answers: Answers,
}

/// One option's count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionResult {
    /// Option id.
    pub id: u32,
    /// Label.
    pub label: String,
    /// Responses that chose it.
    pub count: u64,
    /// `count / answered` (0 when nobody answered).
    pub share: f64,
}

/// A rating question's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatingResult {
    /// The scale (ratings are 1..=scale).
    pub scale: u8,
    /// Mean rating, `None` when nobody rated.
    pub mean: Option<f64>,
    /// Responses per rating: index 0 counts the 1s.
    pub distribution: Vec<u64>,
}

/// A free-text answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextAnswer {
    /// The response it belongs to.
    pub response: i64,
    /// When it came in.
    pub at: i64,
    /// The text as typed.
    pub text: String,
}

/// One question's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionResult {
    /// Question id.
    pub id: u32,
    /// Kind.
    pub kind: QuestionKind,
    /// The question.
    pub text: String,
    /// Responses that answered it.
    pub answered: u64,
    /// Counts per option, in option order (choice questions).
    pub options: Vec<OptionResult>,
    /// Rating figures (rating questions).
    pub rating: Option<RatingResult>,
    /// Free-text answers, oldest first (text questions; empty in public results).
    pub texts: Vec<TextAnswer>,
}

/// A survey's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveyResults {
    /// Survey id.
    pub survey: i64,
    /// Responses counted.
    pub responses: u64,
    /// Per question, in order.
    pub questions: Vec<QuestionResult>,
}

impl SurveyResults {
    /// The results without the free-text answers (what the public sees: free text may
    /// hold personal details and is read in the back office only). The counts of
    /// text answers stay.
    pub fn without_texts(mut self) -> SurveyResults {
        for q in &mut self.questions {
            q.texts.clear();
        }
        self
    }
}

/// Aggregates `responses` of `survey`.
pub fn aggregate(survey: &Survey, responses: &[StoredResponse]) -> SurveyResults {
    let mut questions = Vec::with_capacity(survey.questions.len());
    for q in &survey.questions {
        let mut answered = 0u64;
        let mut counts = vec![0u64; q.options.len()];
        let mut distribution = vec![0u64; usize::from(q.scale)];
        let mut rating_sum = 0u64;
        let mut texts = Vec::new();
        for r in responses {
            match (q.kind, r.answers.get(q.id)) {
                (QuestionKind::Single | QuestionKind::Multiple, Some(Answer::Choices(ids))) => {
                    let mut any = false;
                    for id in ids {
                        if let Some(i) = q.options.iter().position(|o| o.id == *id) {
                            counts[i] += 1;
                            any = true;
                        }
                    }
                    answered += u64::from(any);
                }
                (QuestionKind::Rating, Some(Answer::Rating(n))) if (1..=q.scale).contains(n) => {
                    distribution[usize::from(*n) - 1] += 1;
                    rating_sum += u64::from(*n);
                    answered += 1;
                }
                (QuestionKind::Text, Some(Answer::Text(t))) => {
                    texts.push(TextAnswer { response: r.id, at: r.at, text: t.clone() });
                    answered += 1;
                }
                _ => {}
            }
        }
        let share = |c: u64| if answered == 0 { 0.0 } else { c as f64 / answered as f64 };
        texts.sort_by_key(|t| (t.at, t.response));
        questions.push(QuestionResult {
            id: q.id,
            kind: q.kind,
            text: q.text.clone(),
            answered,
            options: q
                .options
                .iter()
                .zip(&counts)
                .map(|(o, c)| OptionResult { id: o.id, label: o.label.clone(), count: *c, share: share(*c) })
                .collect(),
            rating: (q.kind == QuestionKind::Rating).then(|| RatingResult {
                scale: q.scale,
                mean: (answered > 0).then(|| rating_sum as f64 / answered as f64),
                distribution,
            }),
            texts,
        });
    }
    SurveyResults { survey: survey.id, responses: responses.len() as u64, questions }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;
    use crate::survey::model::{Survey, SurveyState};
    use sitegroup_core::SiteId;

    pub(crate) fn survey() -> Survey {
        let v = crate::survey::model::tests::fixture();
        Survey {
            id: 7,
            site: SiteId(1),
            title: v.title,
            intro: v.intro,
            questions: v.questions,
            opens_at: v.opens_at,
            closes_at: v.closes_at,
            results_public: true,
            state: SurveyState::Published,
            responses: 0,
            created_by: "editor".into(),
            created_at: 0,
            updated_at: 0,
            published_at: Some(0),
        }
    }

    /// Five responses whose results are worked out by hand in `hand_computed_results`.
    pub(crate) fn responses() -> Vec<StoredResponse> {
        let r = |id: i64, q1: u32, q2: &[u32], q3: u8, q4: Option<&str>| {
            let mut a = Answers::default();
            a.0.insert(1, Answer::Choices(vec![q1]));
            if !q2.is_empty() {
                a.0.insert(2, Answer::Choices(q2.to_vec()));
            }
            a.0.insert(3, Answer::Rating(q3));
            if let Some(t) = q4 {
                a.0.insert(4, Answer::Text(t.into()));
            }
            StoredResponse { id, at: 100 + id, answers: a }
        };
        vec![
            r(1, 1, &[1, 2], 5, Some("多设窗口")),
            r(2, 1, &[2], 4, None),
            r(3, 2, &[], 3, Some("=SUM(A1)")),
            r(4, 3, &[2, 3], 1, None),
            r(5, 1, &[1], 5, Some("延长时间")),
        ]
    }

    #[test]
    fn hand_computed_results() {
        let res = aggregate(&survey(), &responses());
        assert_eq!(res.responses, 5);
        // Q1 single: 满意 3, 基本满意 1, 不满意 1 of 5 answered.
        let q1 = &res.questions[0];
        assert_eq!(q1.answered, 5);
        assert_eq!(q1.options.iter().map(|o| o.count).collect::<Vec<_>>(), vec![3, 1, 1]);
        assert!((q1.options[0].share - 0.6).abs() < 1e-9);
        // Q2 multiple: answered by 4; 窗口 2, 网站 3, 手机 1; shares over 4.
        let q2 = &res.questions[1];
        assert_eq!(q2.answered, 4);
        assert_eq!(q2.options.iter().map(|o| o.count).collect::<Vec<_>>(), vec![2, 3, 1]);
        assert!((q2.options[1].share - 0.75).abs() < 1e-9);
        // Q3 rating: 5, 4, 3, 1, 5 → mean 18 / 5 = 3.6; distribution 1:1, 2:0, 3:1, 4:1, 5:2.
        let q3 = res.questions[2].rating.as_ref().unwrap();
        assert!((q3.mean.unwrap() - 3.6).abs() < 1e-9);
        assert_eq!(q3.distribution, vec![1, 0, 1, 1, 2]);
        // Q4 text: three answers, oldest first.
        let q4 = &res.questions[3];
        assert_eq!(q4.answered, 3);
        assert_eq!(
            q4.texts.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(),
            vec!["多设窗口", "=SUM(A1)", "延长时间"]
        );
        assert!(res.clone().without_texts().questions[3].texts.is_empty());
        assert_eq!(res.without_texts().questions[3].answered, 3);
    }

    #[test]
    fn no_responses_give_zeros_not_nan() {
        let res = aggregate(&survey(), &[]);
        assert_eq!(res.questions[0].options[0].share, 0.0);
        assert_eq!(res.questions[2].rating.as_ref().unwrap().mean, None);
    }
}
