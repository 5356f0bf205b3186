//! Redaction (脱敏) of personal data before an answered letter is published.
//!
//! What is masked (each masked character becomes `*`, so the editor's preview keeps the
//! text's shape and every span points at the characters of the input):
//! - resident ID numbers, mobile numbers and bank cards (the detectors of
//!   `sitegroup_text::personal`), and landlines `0AAA-NNNNNNN`;
//! - names: the given name after 我叫 / 本人 / 姓名 / 我是 / 名叫 / 联系人 when what follows
//!   starts with a common surname (`我叫张三` → `我叫张*`), and every occurrence of the
//!   names the caller knows (the writer's own);
//! - addresses below the township: house numbers and their chain (`12号3栋402室`), the
//!   street, lane or village name right before them (`幸福路`), and everything after
//!   the last 省/市/县/区/镇/乡 in a text introduced by 地址 / 住址 / 家住 / 住在.
//!   Counties, districts and townships stay: they are public and say where the problem is.
//!
//! It errs on the side of masking: a false positive costs a word, a false negative a
//! citizen's privacy. The editor sees the spans before publishing.

use serde::{Deserialize, Serialize};
use sitegroup_text::personal::{PersonalKind, personal_data};

/// What a redacted span was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RedactedKind {
    /// 身份证号.
    IdNumber,
    /// 手机号 or landline.
    Phone,
    /// 银行卡号.
    BankCard,
    /// 姓名.
    Name,
    /// 地址.
    Address,
}

/// One masked span, in characters of the input (`start..end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedactedSpan {
    /// What it was.
    pub kind: RedactedKind,
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
}

/// A redacted text and what was masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redacted {
    /// The text with masked characters replaced by `*`.
    pub text: String,
    /// The masked spans, in order, not overlapping.
    pub spans: Vec<RedactedSpan>,
}

/// Common Chinese surnames (single characters; compound surnames start with one of them
/// too, 欧阳 / 司马 / 诸葛 …, or are rare enough to be caught as the writer's known name).
/// Surnames that are also everyday function words after 本人 / 我是 (于, 向, 和, 时, 全, 应,
/// 连, 解, 单, 关, 明, 常, 万, 路, 成, 文, 安) are left out: `本人于去年` is no name.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴莫孔汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻祁蒲房滕屈饶牟艾尤阳穆农司卓古吉缪简车项芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝";

/// Characters that end a name (particles, verbs and words that commonly follow it).
const NAME_STOP: &str =
    "是在住家的了于和与及向因为想要今年男女现从到对把被也都就还已曾系，。、；：！？,.;:!? 　电手身联反映";

/// Administrative levels that stay visible.
const ADMIN: &str = "省市县区镇乡";
/// Units of a house-number chain.
const NUMBER_UNITS: [&str; 9] = ["单元", "号", "栋", "幢", "室", "楼", "层", "组", "弄"];
/// Endings of a street, lane or village name right before a house number.
const PLACE_ENDS: [&str; 10] = ["路", "街", "巷", "道", "村", "社区", "小区", "苑", "园", "里"];
/// Words that introduce an address.
const ADDRESS_TRIGGERS: [&str; 5] = ["住址", "地址", "家住", "住在", "家庭住址"];
/// Words that introduce a name.
const NAME_TRIGGERS: [&str; 6] = ["我叫", "本人", "姓名", "我是", "名叫", "联系人"];

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || "一二三四五六七八九十百零〇".contains(c)
}

fn starts_with_at(chars: &[char], i: usize, word: &str) -> bool {
    word.chars().enumerate().all(|(k, w)| chars.get(i + k) == Some(&w))
}

fn ends_with_at(chars: &[char], end: usize, word: &str) -> bool {
    let n = word.chars().count();
    end >= n && starts_with_at(chars, end - n, word)
}

/// Redacts `text`; `known_names` (the writer's name …) are masked wherever they occur.
pub fn redact(text: &str, known_names: &[&str]) -> Redacted {
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<RedactedSpan> = Vec::new();
    for m in personal_data(text) {
        let kind = match m.kind {
            PersonalKind::IdNumber => RedactedKind::IdNumber,
            PersonalKind::MobileNumber => RedactedKind::Phone,
            PersonalKind::BankCard => RedactedKind::BankCard,
        };
        spans.push(RedactedSpan { kind, start: m.start, end: m.end });
    }
    landlines(&chars, &mut spans);
    names(&chars, known_names, &mut spans);
    addresses(&chars, &mut spans);
    spans.sort_by_key(|s| (s.start, s.end));
    let mut merged: Vec<RedactedSpan> = Vec::with_capacity(spans.len());
    for s in spans {
        if s.start >= s.end {
            continue;
        }
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut k = 0;
    for (i, c) in chars.iter().enumerate() {
        while merged.get(k).is_some_and(|s| s.end <= i) {
            k += 1;
        }
        let masked = merged.get(k).is_some_and(|s| s.start <= i && i < s.end);
        out.push(if masked && !c.is_whitespace() { '*' } else { *c });
    }
    Redacted { text: out, spans: merged }
}

fn landlines(chars: &[char], spans: &mut Vec<RedactedSpan>) {
    let mut i = 0;
    while i < chars.len() {
        let prev_digit = i > 0 && chars[i - 1].is_ascii_digit();
        if chars[i] == '0' && !prev_digit {
            let area = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let dash = i + area;
            if (3..=4).contains(&area) && matches!(chars.get(dash), Some('-' | '－' | ' ')) {
                let num = chars[dash + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                if (7..=8).contains(&num) {
                    spans.push(RedactedSpan { kind: RedactedKind::Phone, start: i, end: dash + 1 + num });
                    i = dash + 1 + num;
                    continue;
                }
            }
        }
        i += 1;
    }
}

fn names(chars: &[char], known: &[&str], spans: &mut Vec<RedactedSpan>) {
    for i in 0..chars.len() {
        for trigger in NAME_TRIGGERS {
            if !starts_with_at(chars, i, trigger) {
                continue;
            }
            let mut j = i + trigger.chars().count();
            while matches!(chars.get(j), Some(':' | '：' | ' ' | '　')) {
                j += 1;
            }
            let Some(&surname) = chars.get(j) else { continue };
            if !SURNAMES.contains(surname) {
                continue;
            }
            let given = chars[j + 1..].iter().take(2).take_while(|c| is_han(**c) && !NAME_STOP.contains(**c)).count();
            if given > 0 {
                spans.push(RedactedSpan { kind: RedactedKind::Name, start: j + 1, end: j + 1 + given });
            }
        }
    }
    for name in known {
        let name: Vec<char> = name.trim().chars().collect();
        if name.len() < 2 {
            continue;
        }
        let mut i = 0;
        while i + name.len() <= chars.len() {
            if chars[i..i + name.len()] == name[..] {
                // Keep the surname, mask the rest.
                spans.push(RedactedSpan { kind: RedactedKind::Name, start: i + 1, end: i + name.len() });
                i += name.len();
            } else {
                i += 1;
            }
        }
    }
}

/// Length of a house-number chain (`12号3栋402室`) starting at `i`, 0 if none.
fn number_chain(chars: &[char], i: usize) -> usize {
    let mut j = i;
    loop {
        let digits = chars[j.min(chars.len())..].iter().take_while(|c| is_digit(**c) || **c == '-').count();
        if digits == 0 {
            break;
        }
        let after = j + digits;
        let Some(unit) = NUMBER_UNITS.iter().find(|u| starts_with_at(chars, after, u)) else { break };
        j = after + unit.chars().count();
    }
    j - i
}

fn addresses(chars: &[char], spans: &mut Vec<RedactedSpan>) {
    let mut i = 0;
    while i < chars.len() {
        let starts_number = is_digit(chars[i]) && (i == 0 || !is_digit(chars[i - 1]));
        let chain = if starts_number { number_chain(chars, i) } else { 0 };
        if chain == 0 {
            i += 1;
            continue;
        }
        let mut start = i;
        // The street / village right before: a place ending, then up to 6 Han
        // characters back to an administrative level or a stop character.
        if let Some(end) = PLACE_ENDS.iter().find(|e| ends_with_at(chars, i, e)) {
            let mut s = i - end.chars().count();
            let mut taken = 0;
            while s > 0 && taken < 6 {
                let c = chars[s - 1];
                if !is_han(c)
                    || ADMIN.contains(c)
                    || NAME_STOP.contains(c)
                    || PLACE_ENDS.iter().any(|e| e == &c.to_string())
                {
                    break;
                }
                s -= 1;
                taken += 1;
            }
            start = s;
        }
        spans.push(RedactedSpan { kind: RedactedKind::Address, start, end: i + chain });
        i += chain;
    }
    for i in 0..chars.len() {
        for trigger in ADDRESS_TRIGGERS {
            if !starts_with_at(chars, i, trigger) {
                continue;
            }
            let mut j = i + trigger.chars().count();
            while matches!(chars.get(j), Some(':' | '：' | ' ' | '　')) {
                j += 1;
            }
            let end = j + chars[j.min(chars.len())..]
                .iter()
                .take_while(|c| is_han(**c) || is_digit(**c) || c.is_ascii_alphanumeric() || **c == '-')
                .count();
            let keep = (j..end).rev().find(|k| ADMIN.contains(chars[*k])).map_or(j, |k| k + 1);
            if keep < end {
                spans.push(RedactedSpan { kind: RedactedKind::Address, start: keep, end });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> String {
        redact(text, &[]).text
    }

    #[test]
    fn numbers() {
        // 11010519491231002X is a valid ID (GB 11643 check character X).
        assert_eq!(r("身份证11010519491231002X，请核实"), "身份证******************，请核实");
        assert_eq!(r("电话13800138000"), "电话***********");
        assert_eq!(r("电话138-0013-8000。"), "电话*************。");
        assert_eq!(r("座机0553-6612345"), "座机************");
        assert_eq!(r("卡号4111 1111 1111 1111"), "卡号**** **** **** ****");
        assert_eq!(r("编号20250101"), "编号20250101", "not a phone");
    }

    #[test]
    fn names_after_triggers() {
        assert_eq!(r("我叫张三，住在城关镇"), "我叫张*，住在城关镇");
        assert_eq!(r("本人王小明反映"), "本人王**反映");
        assert_eq!(r("姓名：李四。"), "姓名：李*。");
        assert_eq!(r("本人于去年购房"), "本人于去年购房", "于 is no surname");
        assert_eq!(r("我是在校学生"), "我是在校学生");
        assert_eq!(redact("欧阳娜娜来信，欧阳娜娜再次来信", &["欧阳娜娜"]).text, "欧***来信，欧***再次来信");
    }

    #[test]
    fn addresses_below_township() {
        assert_eq!(
            r("我家在无为县城关镇幸福路12号3栋402室，门口路灯坏了"),
            "我家在无为县城关镇************，门口路灯坏了"
        );
        assert_eq!(r("住址：安徽省芜湖市无为县红庙镇杨庄村"), "住址：安徽省芜湖市无为县红庙镇***");
        assert_eq!(r("家住高沟镇新华村5组"), "家住高沟镇*****");
        assert_eq!(r("路灯坏了3天"), "路灯坏了3天", "no unit after the number");
        assert_eq!(r("第2号文件"), "第**文件", "errs on masking");
    }

    #[test]
    fn spans_point_at_input_characters() {
        let red = redact("我叫张三，电话13800138000", &[]);
        assert_eq!(red.spans.len(), 2);
        assert_eq!((red.spans[0].kind, red.spans[0].start, red.spans[0].end), (RedactedKind::Name, 3, 4));
        assert_eq!((red.spans[1].kind, red.spans[1].start, red.spans[1].end), (RedactedKind::Phone, 7, 18));
        assert_eq!(red.text.chars().count(), "我叫张三，电话13800138000".chars().count());
    }
}
