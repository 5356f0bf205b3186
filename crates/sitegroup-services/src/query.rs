//! Online queries (在线查询): the [`QueryProvider`] trait a back end implements, input
//! fields and their validation, the result table, the rate-limit arithmetic, the
//! salted address hash, and demo providers over deterministic fake data.
//!
//! **What it must never do.** Keep or log what a citizen typed. Validation returns the
//! cleaned input to the caller, who hands it to the provider and drops it; the only
//! thing derived from a request that may be stored is [`address_hash`] (salted), and
//! only the facade's rate counter stores it.
//!
//! **Plugging a real back end.** Implement [`QueryProvider`] with a `kind` of your own
//! (e.g. `hr.salary`), register it once at start-up with
//! `SiteGroup::register_query_provider`, and point a query definition's `provider` at
//! that kind (the back office or `define_service_query`). The facade validates the input
//! against [`QueryProvider::fields`], enforces the definition's limits, audits that a
//! query of that kind ran, and only then calls [`QueryProvider::run`]:
//!
//! ```
//! use sitegroup_services::query::*;
//!
//! /// Asks the county payroll system (here: a fixed answer).
//! struct Payroll;
//!
//! impl QueryProvider for Payroll {
//!     fn kind(&self) -> &str { "hr.salary" }
//!     fn fields(&self) -> Vec<QueryField> {
//!         vec![QueryField::new("id_number", FieldKind::IdNumber), QueryField::new("month", FieldKind::Month)]
//!     }
//!     fn run(&self, query: &str, input: &QueryInput) -> Result<QueryResult, String> {
//!         // A real provider would call the payroll service over HTTP here, with
//!         // input.get("id_number") and input.get("month"), and map its answer.
//!         let _ = (query, input.get("id_number"));
//!         Ok(QueryResult {
//!             columns: vec![QueryColumn::new("month", "月份"), QueryColumn::new("net", "实发工资（元）")],
//!             rows: vec![vec![input.get("month").unwrap_or_default().to_string(), "5234.10".into()]],
//!             demo: false,
//!         })
//!     }
//! }
//!
//! let mut registry = ProviderRegistry::with_demo();
//! registry.register(std::sync::Arc::new(Payroll));
//! let p = registry.get("hr.salary").expect("registered");
//! let input = validate_input(&p.fields(), &[("id_number", "11010519491231002X"), ("month", "2025-05")]).expect("valid");
//! let result = p.run("salary", &input).expect("answered");
//! assert_eq!(result.rows[0][1], "5234.10");
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The shape of one input field; each has its own validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// 居民身份证号码: 18 characters with the GB 11643 check digit.
    IdNumber,
    /// 姓名: 2–20 characters, Han, letters or `·`.
    PersonName,
    /// 月份: `YYYY-MM`.
    Month,
    /// Digits only, with a length range (account numbers).
    Digits {
        /// Fewest digits.
        min: usize,
        /// Most digits.
        max: usize,
    },
    /// 号牌号码: a province character, a letter, then 5–6 letters or digits.
    Plate,
    /// Letters and digits with a length range (certificate numbers, VIN tails).
    Code {
        /// Fewest characters.
        min: usize,
        /// Most characters.
        max: usize,
    },
}

/// One input field of a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryField {
    /// Form name and message-key suffix (`id_number`).
    pub name: String,
    /// Its shape.
    pub kind: FieldKind,
    /// Whether it must be filled.
    pub required: bool,
}

impl QueryField {
    /// A required field.
    pub fn new(name: &str, kind: FieldKind) -> QueryField {
        QueryField { name: name.to_string(), kind, required: true }
    }
}

/// Why a field was refused (the portal shows a Chinese message per problem).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldProblem {
    /// Required and empty.
    Missing,
    /// Longer than the field allows.
    TooLong,
    /// Not an ID number (shape or check digit).
    BadIdNumber,
    /// Not a name.
    BadName,
    /// Not a `YYYY-MM` month.
    BadMonth,
    /// Not the right digits.
    BadDigits,
    /// Not a plate number.
    BadPlate,
    /// Not the right letters and digits.
    BadCode,
    /// A field the query does not have.
    Unknown,
}

impl FieldProblem {
    /// Stable name (`bad_id_number` …).
    pub fn as_str(self) -> &'static str {
        match self {
            FieldProblem::Missing => "missing",
            FieldProblem::TooLong => "too_long",
            FieldProblem::BadIdNumber => "bad_id_number",
            FieldProblem::BadName => "bad_name",
            FieldProblem::BadMonth => "bad_month",
            FieldProblem::BadDigits => "bad_digits",
            FieldProblem::BadPlate => "bad_plate",
            FieldProblem::BadCode => "bad_code",
            FieldProblem::Unknown => "unknown",
        }
    }
}

/// A refused field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's name.
    pub field: String,
    /// What is wrong.
    pub problem: FieldProblem,
}

/// Validated, normalised input (ID numbers upper-cased, spaces removed). Deliberately
/// neither `Serialize` nor `Debug`-printing its values, so it is not logged by accident.
#[derive(Clone, Default)]
pub struct QueryInput {
    values: BTreeMap<String, String>,
}

impl std::fmt::Debug for QueryInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueryInput").field("fields", &self.values.keys().collect::<Vec<_>>()).finish()
    }
}

impl QueryInput {
    /// The value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// sha256 of the query code and every value: the demo providers' seed. Not stored.
    pub fn digest(&self, query: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(query.as_bytes());
        for (k, v) in &self.values {
            h.update([0x1f]);
            h.update(k.as_bytes());
            h.update([0x1e]);
            h.update(v.as_bytes());
        }
        h.finalize().into()
    }
}

/// The GB 11643 check of an 18-character ID number (already upper-case).
pub fn id_number_ok(id: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let chars: Vec<char> = id.chars().collect();
    if chars.len() != 18 || !chars[..17].iter().all(char::is_ascii_digit) {
        return false;
    }
    let sum: u32 = chars[..17].iter().zip(W).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
    let month: u32 = id.get(10..12).and_then(|m| m.parse().ok()).unwrap_or(0);
    let day: u32 = id.get(12..14).and_then(|d| d.parse().ok()).unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day) && CHECK[(sum % 11) as usize] == chars[17]
}

/// Province abbreviations that open a plate number.
const PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

fn check_field(kind: FieldKind, raw: &str) -> Result<String, FieldProblem> {
    let v: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if v.chars().count() > 40 {
        return Err(FieldProblem::TooLong);
    }
    match kind {
        FieldKind::IdNumber => {
            let v = v.to_ascii_uppercase();
            if id_number_ok(&v) { Ok(v) } else { Err(FieldProblem::BadIdNumber) }
        }
        FieldKind::PersonName => {
            let n = v.chars().count();
            let ok = (2..=20).contains(&n)
                && v.chars().all(|c| c.is_alphabetic() || c == '·' || c == '•')
                && !v.chars().any(|c| c.is_ascii_digit());
            if ok { Ok(v) } else { Err(FieldProblem::BadName) }
        }
        FieldKind::Month => {
            let ok = v.len() == 7
                && v.as_bytes().get(4) == Some(&b'-')
                && v.get(0..4).and_then(|y| y.parse::<u32>().ok()).is_some_and(|y| (1990..=2100).contains(&y))
                && v.get(5..7).and_then(|m| m.parse::<u32>().ok()).is_some_and(|m| (1..=12).contains(&m));
            if ok { Ok(v) } else { Err(FieldProblem::BadMonth) }
        }
        FieldKind::Digits { min, max } => {
            let ok = (min..=max).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit());
            if ok { Ok(v) } else { Err(FieldProblem::BadDigits) }
        }
        FieldKind::Plate => {
            let v = v.to_uppercase();
            let mut chars = v.chars();
            let ok = chars.next().is_some_and(|c| PROVINCES.contains(c))
                && chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && {
                    let rest: Vec<char> = chars.collect();
                    (5..=6).contains(&rest.len()) && rest.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                };
            if ok { Ok(v) } else { Err(FieldProblem::BadPlate) }
        }
        FieldKind::Code { min, max } => {
            let v = v.to_ascii_uppercase();
            let ok =
                (min..=max).contains(&v.chars().count()) && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if ok { Ok(v) } else { Err(FieldProblem::BadCode) }
        }
    }
}

/// Validates raw form input against `fields`: every problem is reported (one entry
/// per bad field, in the fields' order, unknown names last).
///
/// ```
/// use sitegroup_services::query::*;
/// let fields = vec![QueryField::new("id_number", FieldKind::IdNumber)];
/// assert!(validate_input(&fields, &[("id_number", "11010519491231002x")]).is_ok());
/// let e = validate_input(&fields, &[("id_number", "110105194912310021")]).unwrap_err();
/// assert_eq!(e[0].problem, FieldProblem::BadIdNumber);
/// ```
pub fn validate_input(fields: &[QueryField], raw: &[(&str, &str)]) -> Result<QueryInput, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    for f in fields {
        let given = raw.iter().find(|(k, _)| *k == f.name).map(|(_, v)| *v).unwrap_or("");
        if given.trim().is_empty() {
            if f.required {
                errors.push(FieldError { field: f.name.clone(), problem: FieldProblem::Missing });
            }
            continue;
        }
        match check_field(f.kind, given) {
            Ok(v) => {
                values.insert(f.name.clone(), v);
            }
            Err(problem) => errors.push(FieldError { field: f.name.clone(), problem }),
        }
    }
    for (k, v) in raw {
        if !v.trim().is_empty() && !fields.iter().any(|f| f.name == *k) {
            errors.push(FieldError { field: truncate(k, 40), problem: FieldProblem::Unknown });
        }
    }
    if errors.is_empty() { Ok(QueryInput { values }) } else { Err(errors) }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// A column of a result table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryColumn {
    /// Stable key (`month`); the portal shows the catalogue's `svc.col.{key}` when it has
    /// one, else `label`.
    pub key: String,
    /// The back end's own heading.
    pub label: String,
}

impl QueryColumn {
    /// A column.
    pub fn new(key: &str, label: &str) -> QueryColumn {
        QueryColumn { key: key.to_string(), label: label.to_string() }
    }
}

/// What a provider answers: a table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryResult {
    /// Columns.
    pub columns: Vec<QueryColumn>,
    /// Rows, one cell per column (empty: no record found).
    pub rows: Vec<Vec<String>>,
    /// True for demo data: the page says so.
    pub demo: bool,
}

/// A back end that answers one kind of online query.
pub trait QueryProvider: Send + Sync {
    /// The provider kind a query definition names (`demo.salary`, `hr.salary`).
    fn kind(&self) -> &str;

    /// The input fields, in form order.
    fn fields(&self) -> Vec<QueryField>;

    /// Answers validated input for the query `query` (its code). Errors are the back
    /// end's (unreachable, refused) and are shown as "service unavailable"; they must not
    /// contain the input.
    fn run(&self, query: &str, input: &QueryInput) -> Result<QueryResult, String>;

    /// Whether this provider serves demo data (shown as such).
    fn is_demo(&self) -> bool {
        false
    }
}

/// The providers known to a process, by kind.
#[derive(Clone, Default)]
pub struct ProviderRegistry {
    providers: BTreeMap<String, Arc<dyn QueryProvider>>,
}

impl std::fmt::Debug for ProviderRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderRegistry").field("kinds", &self.providers.keys().collect::<Vec<_>>()).finish()
    }
}

impl ProviderRegistry {
    /// A registry holding the demo providers ([`DEMO_KINDS`]).
    pub fn with_demo() -> ProviderRegistry {
        let mut r = ProviderRegistry::default();
        for kind in DEMO_KINDS {
            r.register(Arc::new(DemoProvider { kind }));
        }
        r
    }

    /// Adds (or replaces) the provider of its kind.
    pub fn register(&mut self, provider: Arc<dyn QueryProvider>) {
        self.providers.insert(provider.kind().to_ascii_lowercase(), provider);
    }

    /// The provider of `kind`.
    pub fn get(&self, kind: &str) -> Option<Arc<dyn QueryProvider>> {
        self.providers.get(&kind.to_ascii_lowercase()).cloned()
    }

    /// Registered kinds.
    pub fn kinds(&self) -> Vec<String> {
        self.providers.keys().cloned().collect()
    }
}

/// The demo provider kinds: staff salary, housing fund, property and vehicle records.
pub const DEMO_KINDS: [&str; 4] = ["demo.salary", "demo.housing_fund", "demo.property", "demo.vehicle"];

/// Deterministic fake answers keyed by a hash of the input: the same input always gives
/// the same table, nothing is looked up, and every result is marked `demo`.
#[derive(Debug, Clone, Copy)]
pub struct DemoProvider {
    kind: &'static str,
}

impl DemoProvider {
    /// The demo provider of one of [`DEMO_KINDS`].
    pub fn new(kind: &str) -> Option<DemoProvider> {
        DEMO_KINDS.into_iter().find(|k| *k == kind).map(|kind| DemoProvider { kind })
    }
}

fn num(seed: &[u8; 32], i: usize, lo: u64, hi: u64) -> u64 {
    let b = [seed[i % 32], seed[(i + 1) % 32], seed[(i + 2) % 32], seed[(i + 3) % 32]];
    lo + u64::from(u32::from_be_bytes(b)) % (hi - lo + 1)
}

fn money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

impl QueryProvider for DemoProvider {
    fn kind(&self) -> &str {
        self.kind
    }

    fn fields(&self) -> Vec<QueryField> {
        match self.kind {
            "demo.salary" => vec![
                QueryField::new("name", FieldKind::PersonName),
                QueryField::new("id_number", FieldKind::IdNumber),
                QueryField::new("month", FieldKind::Month),
            ],
            "demo.housing_fund" => vec![
                QueryField::new("id_number", FieldKind::IdNumber),
                QueryField::new("account", FieldKind::Digits { min: 6, max: 20 }),
            ],
            "demo.property" => vec![
                QueryField::new("id_number", FieldKind::IdNumber),
                QueryField::new("certificate", FieldKind::Code { min: 4, max: 30 }),
            ],
            _ => vec![
                QueryField::new("plate", FieldKind::Plate),
                QueryField::new("vin", FieldKind::Code { min: 6, max: 6 }),
            ],
        }
    }

    fn run(&self, query: &str, input: &QueryInput) -> Result<QueryResult, String> {
        let s = input.digest(query);
        let (columns, rows) = match self.kind {
            "demo.salary" => {
                let month = input.get("month").unwrap_or("2025-01").to_string();
                let basic = num(&s, 0, 250_000, 600_000);
                let allowance = num(&s, 4, 50_000, 250_000);
                let deduction = num(&s, 8, 60_000, 180_000);
                (
                    vec![
                        QueryColumn::new("month", "月份"),
                        QueryColumn::new("basic", "基本工资（元）"),
                        QueryColumn::new("allowance", "津贴补贴（元）"),
                        QueryColumn::new("deduction", "代扣款项（元）"),
                        QueryColumn::new("net", "实发工资（元）"),
                    ],
                    vec![vec![
                        month,
                        money(basic),
                        money(allowance),
                        money(deduction),
                        money((basic + allowance).saturating_sub(deduction)),
                    ]],
                )
            }
            "demo.housing_fund" => {
                let monthly = num(&s, 0, 30_000, 300_000);
                let balance = num(&s, 4, 500_000, 20_000_000);
                let months = num(&s, 8, 1, 240);
                (
                    vec![
                        QueryColumn::new("status", "账户状态"),
                        QueryColumn::new("monthly", "月缴存额（元）"),
                        QueryColumn::new("months", "连续缴存月数"),
                        QueryColumn::new("balance", "账户余额（元）"),
                    ],
                    vec![vec!["正常".into(), money(monthly), months.to_string(), money(balance)]],
                )
            }
            "demo.property" => {
                let n = num(&s, 0, 0, 2);
                let rows = (0..n)
                    .map(|i| {
                        let i = usize::try_from(i).unwrap_or(0) * 8;
                        vec![
                            format!(
                                "无为市{}路{}号",
                                ["临湖", "襄安", "米芾", "红旗"][(s[i] % 4) as usize],
                                num(&s, i + 1, 1, 300)
                            ),
                            format!("{}.{:02}", num(&s, i + 2, 45, 180), num(&s, i + 3, 0, 99)),
                            ["住宅", "商业", "车库"][(s[i + 4] % 3) as usize].into(),
                            "已登记".into(),
                        ]
                    })
                    .collect();
                (
                    vec![
                        QueryColumn::new("location", "坐落"),
                        QueryColumn::new("area", "建筑面积（平方米）"),
                        QueryColumn::new("use", "用途"),
                        QueryColumn::new("state", "登记状态"),
                    ],
                    rows,
                )
            }
            _ => {
                let violations = num(&s, 0, 0, 3);
                let year = num(&s, 4, 2026, 2030);
                (
                    vec![
                        QueryColumn::new("vehicle_state", "机动车状态"),
                        QueryColumn::new("inspection_due", "检验有效期至"),
                        QueryColumn::new("violations", "未处理违法记录"),
                    ],
                    vec![vec![
                        "正常".into(),
                        format!("{year}-{:02}-{:02}", num(&s, 8, 1, 12), num(&s, 12, 1, 28)),
                        violations.to_string(),
                    ]],
                )
            }
        };
        Ok(QueryResult { columns, rows, demo: true })
    }

    fn is_demo(&self) -> bool {
        true
    }
}

/// `sha256(salt ‖ query ‖ address)`, hex: the key of the per-address rate counter
/// instead of the client address. The query code is mixed in so one address's counters
/// cannot be linked across queries. An unknown address hashes as `-` (all such
/// requests share one counter).
pub fn address_hash(salt: &str, query: &str, address: Option<&str>) -> String {
    let mut h = Sha256::new();
    for p in [salt, query, "address", address.unwrap_or("-")] {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The start of the fixed window holding `now`.
pub fn window_start(now: i64, window_seconds: i64) -> i64 {
    let w = window_seconds.max(1);
    now.div_euclid(w) * w
}

/// The key of the per-query counter (all addresses together).
pub const ALL_ADDRESSES: &str = "*";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn id_numbers() {
        assert!(id_number_ok("11010519491231002X"));
        assert!(id_number_ok("340223199003151234") == (check_field(FieldKind::IdNumber, "340223199003151234").is_ok()));
        assert!(!id_number_ok("110105194912310021"));
        assert!(!id_number_ok("1101051949123100"));
        assert!(!id_number_ok("11010519491331002X")); // month 13
    }

    #[test]
    fn fields() {
        assert_eq!(check_field(FieldKind::Plate, "皖b 12345"), Ok("皖B12345".into()));
        assert_eq!(check_field(FieldKind::Plate, "皖B1234"), Err(FieldProblem::BadPlate));
        assert_eq!(check_field(FieldKind::Plate, "AB12345"), Err(FieldProblem::BadPlate));
        assert_eq!(check_field(FieldKind::Month, "2025-05"), Ok("2025-05".into()));
        assert_eq!(check_field(FieldKind::Month, "2025-13"), Err(FieldProblem::BadMonth));
        assert_eq!(check_field(FieldKind::PersonName, "张三"), Ok("张三".into()));
        assert_eq!(check_field(FieldKind::PersonName, "张3"), Err(FieldProblem::BadName));
        assert_eq!(check_field(FieldKind::Digits { min: 6, max: 8 }, "12345"), Err(FieldProblem::BadDigits));
        assert_eq!(check_field(FieldKind::Code { min: 6, max: 6 }, "a1b2c3"), Ok("A1B2C3".into()));
        assert_eq!(check_field(FieldKind::Code { min: 1, max: 90 }, &"x".repeat(41)), Err(FieldProblem::TooLong));
    }

    #[test]
    fn validation_reports_every_field() {
        let p = DemoProvider::new("demo.salary").unwrap();
        let e = validate_input(&p.fields(), &[("id_number", "123"), ("evil", "x")]).unwrap_err();
        let problems: Vec<_> = e.iter().map(|e| (e.field.as_str(), e.problem)).collect();
        assert_eq!(
            problems,
            vec![
                ("name", FieldProblem::Missing),
                ("id_number", FieldProblem::BadIdNumber),
                ("month", FieldProblem::Missing),
                ("evil", FieldProblem::Unknown)
            ]
        );
    }

    #[test]
    fn demo_results_are_deterministic_and_marked() {
        let reg = ProviderRegistry::with_demo();
        for kind in DEMO_KINDS {
            let p = reg.get(kind).unwrap();
            let raw: Vec<(String, String)> = p
                .fields()
                .iter()
                .map(|f| {
                    let v = match f.kind {
                        FieldKind::IdNumber => "11010519491231002X",
                        FieldKind::PersonName => "王芳",
                        FieldKind::Month => "2025-05",
                        FieldKind::Digits { .. } => "12345678",
                        FieldKind::Plate => "皖B12345",
                        FieldKind::Code { .. } => "A1B2C3",
                    };
                    (f.name.clone(), v.to_string())
                })
                .collect();
            let raw: Vec<(&str, &str)> = raw.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
            let input = validate_input(&p.fields(), &raw).unwrap();
            let a = p.run("q", &input).unwrap();
            let b = p.run("q", &input).unwrap();
            assert_eq!(a, b);
            assert!(a.demo && p.is_demo());
            assert!(a.rows.iter().all(|r| r.len() == a.columns.len()));
            assert!(!format!("{input:?}").contains("11010519491231002X"));
        }
    }

    #[test]
    fn windows_and_hashes() {
        assert_eq!(window_start(1_000, 600), 600);
        assert_eq!(window_start(1_200, 600), 1_200);
        let a = address_hash("s", "salary", Some("1.2.3.4"));
        assert_ne!(a, address_hash("s", "vehicle", Some("1.2.3.4")));
        assert_ne!(a, address_hash("t", "salary", Some("1.2.3.4")));
        assert!(!a.contains("1.2.3.4"));
    }
}
