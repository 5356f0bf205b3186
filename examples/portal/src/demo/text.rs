//! Deterministic randomness and Chinese text for the demo: paragraphs from the
//! People's Daily corpus when it is there, from a template generator otherwise.

use std::path::{Path, PathBuf};

/// A xorshift64* generator: deterministic, tiny, good enough for demo data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced: xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Rng {
        Rng(if seed == 0 { 0x9e37_79b9_7f4a_7c15 } else { seed })
    }

    /// A generator derived from this seed and a label (independent streams per column).
    pub fn derive(seed: u64, label: &str) -> Rng {
        let h = label
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64 ^ seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
        Rng::new(h)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { lo + (self.next_u64() % (hi - lo + 1) as u64) as i64 }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One element of a slice (callers pass non-empty constants).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Where the corpus is in a checkout of the workspace (`../shared/corpus` from the root).
pub fn default_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/peoples-daily-199801.txt")
}

/// Words that would (rightly) stop a document at the content checks: classification
/// marks and internal-material phrases. Corpus paragraphs holding them are skipped.
const AVOID: &[&str] =
    &["绝密", "机密", "秘密", "内部", "不得外传", "注意保存", "身份证", "电话", "手机", "@", "http", "www"];

/// Paragraphs to build bodies from.
#[derive(Debug, Clone)]
pub struct Text {
    paragraphs: Vec<String>,
    /// Whether the paragraphs come from the corpus.
    pub from_corpus: bool,
}

/// Full-width digits and letters to ASCII (the corpus writes １９９８).
fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

fn acceptable(p: &str) -> bool {
    let n = p.chars().count();
    if !(40..=360).contains(&n) || AVOID.iter().any(|w| p.contains(w)) {
        return false;
    }
    // No long digit runs (they could look like phone, ID or card numbers).
    let mut run = 0;
    for c in p.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 7 {
            return false;
        }
    }
    p.ends_with('。') || p.ends_with('”') || p.ends_with('！')
}

impl Text {
    /// Loads the corpus at `path` (or the default one); falls back to the template
    /// generator when it cannot be read or holds too little usable text.
    pub fn load(path: Option<&Path>) -> Text {
        let path = path.map(Path::to_path_buf).unwrap_or_else(default_corpus);
        if let Ok(raw) = std::fs::read_to_string(&path) {
            let paragraphs: Vec<String> = raw.lines().map(|l| half_width(l.trim())).filter(|l| acceptable(l)).collect();
            if paragraphs.len() >= 200 {
                return Text { paragraphs, from_corpus: true };
            }
        }
        Text::generated()
    }

    /// Paragraphs from the built-in templates only.
    pub fn generated() -> Text {
        let mut rng = Rng::new(0x5eed_7e47);
        let paragraphs = (0..600).map(|_| template_paragraph(&mut rng)).collect();
        Text { paragraphs, from_corpus: false }
    }

    /// One paragraph.
    pub fn paragraph(&self, rng: &mut Rng) -> &str {
        self.paragraphs.get(rng.below(self.paragraphs.len())).map_or("", String::as_str)
    }

    /// A body of `n` paragraphs as HTML (`<p>` each, text escaped).
    pub fn body(&self, rng: &mut Rng, n: usize) -> String {
        let mut out = String::new();
        for _ in 0..n {
            out.push_str("<p>");
            out.push_str(&html_escape(self.paragraph(rng)));
            out.push_str("</p>");
        }
        out
    }

    /// A short caption: the first sentence of a paragraph, at most 40 characters.
    pub fn caption(&self, rng: &mut Rng) -> String {
        let p = self.paragraph(rng);
        let first = p.split(['。', '，', '；']).next().unwrap_or(p);
        first.chars().take(40).collect()
    }
}

/// Escapes text for HTML element content.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Subjects of county government work, for titles and generated text.
pub const SUBJECTS: &[&str] = &[
    "乡村振兴",
    "安全生产",
    "森林防火",
    "防汛抗旱",
    "优化营商环境",
    "文明城市创建",
    "秸秆禁烧",
    "农村人居环境整治",
    "基层党建",
    "招商引资",
    "民生实事",
    "消防安全",
    "食品安全",
    "生态环境保护",
    "河长制",
    "林长制",
    "义务教育",
    "医疗保障",
    "就业创业",
    "养老服务",
    "高标准农田建设",
    "村级集体经济",
    "耕地保护",
    "城乡供水一体化",
    "老旧小区改造",
    "数字政府建设",
    "政务公开",
    "全民健身",
];

/// A subject of county work.
pub fn subject(rng: &mut Rng) -> &'static str {
    SUBJECTS[rng.below(SUBJECTS.len())]
}

const OPENINGS: &[&str] = &["近日，", "日前，", "今年以来，", "为进一步做好相关工作，", "按照县委、县政府统一部署，"];
const ACTORS: &[&str] = &["县政府", "各乡镇", "县直各部门", "相关单位", "各村（社区）", "县有关部门"];
const VERBS: &[&str] =
    &["召开专题会议", "组织开展专项行动", "深入一线调研", "印发工作方案", "开展督查检查", "举办业务培训"];
const RESULTS: &[&str] = &[
    "进一步压实工作责任，推动各项任务落地见效。",
    "切实解决群众急难愁盼问题，群众满意度持续提升。",
    "形成了一批可复制可推广的经验做法。",
    "为全县经济社会高质量发展提供了有力保障。",
    "确保各项工作按时间节点有序推进。",
    "累计排查整改问题隐患多处，取得阶段性成效。",
];

/// One generated paragraph (the fallback when there is no corpus).
pub fn template_paragraph(rng: &mut Rng) -> String {
    let s = subject(rng);
    format!(
        "{}{}围绕{}工作{}，{}{}会议强调，要提高思想认识，强化统筹协调，细化工作措施，{}",
        rng.pick(OPENINGS),
        rng.pick(ACTORS),
        s,
        rng.pick(VERBS),
        rng.pick(RESULTS),
        if rng.chance(50) { "" } else { "下一步，将持续跟踪问效。" },
        rng.pick(RESULTS)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut r = Rng::new(1);
        for _ in 0..1000 {
            let v = r.range(3, 5);
            assert!((3..=5).contains(&v));
        }
        assert_eq!(r.below(0), 0);
    }

    #[test]
    fn corpus_filter_and_width() {
        assert_eq!(half_width("１９９８年"), "1998年");
        assert!(!acceptable("这是一份机密文件，请勿外传，这是一份机密文件，请勿外传，这是一份机密文件，请勿外传。"));
        assert!(!acceptable("联系电话13912345678，联系电话13912345678，联系电话13912345678，联系电话。"));
        let generated = Text::generated();
        assert!(!generated.from_corpus);
        let mut rng = Rng::new(3);
        assert!(generated.body(&mut rng, 2).starts_with("<p>"));
    }
}
