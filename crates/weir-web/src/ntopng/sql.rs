//! The SQL-ish clauses ntopng's clients send (`select_clause`, `where_clause`,
//! `group_by_clause`, `order_by_clause`, `maxhits_clause`), parsed into a restricted
//! grammar over a fixed table of columns. Nothing the client wrote reaches a database:
//! a store receives the parsed [`Expr`] and [`Select`]s (and evaluates them, or turns
//! them into parameterised SQL of its own); anything outside the grammar is a
//! [`ParseError`] (the request's 400).
//!
//! ```text
//! where   := or
//! or      := and ("OR" and)*
//! and     := unary ("AND" unary)*
//! unary   := "NOT" unary | "(" or ")" | cmp
//! cmp     := column op value | column ["NOT"] "IN" "(" value ("," value)* ")"
//!          | column ["NOT"] "LIKE" string
//! op      := = | == | != | <> | < | <= | > | >=
//! value   := number | 'text' | "text" | an IP address | "(" value ")"
//! select  := "*" | item ("," item)*        item := column | AGG "(" column | "*" ")"
//! order   := item ["ASC" | "DESC"] ("," …)*
//! group   := column ("," column)*
//! ```
//! Keywords are case-insensitive; column names are matched case-insensitively
//! against the [`Columns`] of the endpoint; values are checked against the column's
//! type (numbers, text, IP addresses — IPv4 also as ntopng's 32-bit number). At most
//! [`MAX_TOKENS`] tokens and [`MAX_DEPTH`] nested parentheses.

use std::cmp::Ordering;
use std::fmt;
use std::net::IpAddr;

/// Most tokens in one clause.
pub const MAX_TOKENS: usize = 512;
/// Most nested parentheses / `NOT`s.
pub const MAX_DEPTH: usize = 32;
/// Most values in one `IN (...)` list.
pub const MAX_IN: usize = 256;

/// Why a clause was refused, with the byte offset where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Which clause (`where_clause`, …).
    pub clause: &'static str,
    /// Byte offset in the clause.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at byte {}: {}",
            self.clause, self.offset, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// The type of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Integers.
    Int,
    /// Text.
    Text,
    /// IP addresses (text; IPv4 also as a 32-bit number).
    Ip,
}

/// One column an endpoint accepts: its ntopng name and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The ntopng name (`IPV4_SRC_ADDR`).
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
}

/// The columns of one endpoint.
pub type Columns = &'static [Column];

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// An integer.
    Int(i64),
    /// Text (IP addresses are kept in their canonical text form).
    Text(String),
}

impl Lit {
    fn cmp_to(&self, other: &Lit) -> Option<Ordering> {
        match (self, other) {
            (Lit::Int(a), Lit::Int(b)) => Some(a.cmp(b)),
            (Lit::Text(a), Lit::Text(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// A parsed `where_clause`.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Both.
    And(Box<Expr>, Box<Expr>),
    /// Either.
    Or(Box<Expr>, Box<Expr>),
    /// Not.
    Not(Box<Expr>),
    /// `column op value`.
    Cmp(Column, Op, Lit),
    /// `column IN (values)`.
    In(Column, Vec<Lit>),
    /// `column LIKE 'pattern'` (`%` any run, `_` one character).
    Like(Column, String),
}

impl Expr {
    /// True when the row matches. `field` gives a column's value in the row (`None`:
    /// unknown, which matches no comparison).
    pub fn matches(&self, field: &dyn Fn(&Column) -> Option<Lit>) -> bool {
        match self {
            Expr::And(a, b) => a.matches(field) && b.matches(field),
            Expr::Or(a, b) => a.matches(field) || b.matches(field),
            Expr::Not(e) => !e.matches(field),
            Expr::Cmp(c, op, v) => {
                let Some(x) = field(c) else { return false };
                let Some(o) = x.cmp_to(v) else { return false };
                match op {
                    Op::Eq => o == Ordering::Equal,
                    Op::Ne => o != Ordering::Equal,
                    Op::Lt => o == Ordering::Less,
                    Op::Le => o != Ordering::Greater,
                    Op::Gt => o == Ordering::Greater,
                    Op::Ge => o != Ordering::Less,
                }
            }
            Expr::In(c, vs) => field(c).is_some_and(|x| vs.contains(&x)),
            Expr::Like(c, p) => match field(c) {
                Some(Lit::Text(t)) => like(&t, p),
                Some(Lit::Int(n)) => like(&n.to_string(), p),
                None => false,
            },
        }
    }

    /// Every column the expression reads.
    pub fn columns(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        self.walk(&mut |c| out.push(c.name));
        out.sort_unstable();
        out.dedup();
        out
    }

    fn walk(&self, f: &mut dyn FnMut(&Column)) {
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::Not(e) => e.walk(f),
            Expr::Cmp(c, ..) | Expr::In(c, _) | Expr::Like(c, _) => f(c),
        }
    }
}

/// SQL `LIKE` with `%` and `_` (case-sensitive), iterative (no recursion).
fn like(text: &str, pat: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('%') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '_' || Some(&c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '%'))
}

/// An aggregate of a selected item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// `COUNT(*)` or `COUNT(column)`.
    Count,
    /// `SUM(column)`.
    Sum,
    /// `MIN(column)`.
    Min,
    /// `MAX(column)`.
    Max,
    /// `AVG(column)`.
    Avg,
}

impl Agg {
    /// The SQL name.
    pub fn name(self) -> &'static str {
        match self {
            Agg::Count => "COUNT",
            Agg::Sum => "SUM",
            Agg::Min => "MIN",
            Agg::Max => "MAX",
            Agg::Avg => "AVG",
        }
    }
}

/// One selected (or ordered-by) item.
#[derive(Debug, Clone, PartialEq)]
pub enum Select {
    /// A column.
    Column(Column),
    /// An aggregate of a column (`None`: `COUNT(*)`).
    Agg(Agg, Option<Column>),
}

impl Select {
    /// The item as it is named in answers (`IPV4_SRC_ADDR`, `SUM(TOTAL_BYTES)`).
    pub fn label(&self) -> String {
        match self {
            Select::Column(c) => c.name.to_string(),
            Select::Agg(a, Some(c)) => format!("{}({})", a.name(), c.name),
            Select::Agg(a, None) => format!("{}(*)", a.name()),
        }
    }
}

/// `select_clause`: `None` is `*` (every column).
pub fn parse_select(text: &str, cols: Columns) -> Result<Option<Vec<Select>>, ParseError> {
    let mut p = Parser::new("select_clause", text, cols)?;
    if p.at_end() {
        return Ok(None);
    }
    if p.eat_sym("*") {
        p.end()?;
        return Ok(None);
    }
    let mut items = vec![p.item()?];
    while p.eat_sym(",") {
        items.push(p.item()?);
    }
    p.end()?;
    Ok(Some(items))
}

/// `where_clause`: `None` when empty.
pub fn parse_where(text: &str, cols: Columns) -> Result<Option<Expr>, ParseError> {
    let mut p = Parser::new("where_clause", text, cols)?;
    if p.at_end() {
        return Ok(None);
    }
    let e = p.or(0)?;
    p.end()?;
    Ok(Some(e))
}

/// `group_by_clause`: the columns.
pub fn parse_group_by(text: &str, cols: Columns) -> Result<Vec<Column>, ParseError> {
    let mut p = Parser::new("group_by_clause", text, cols)?;
    let mut out = Vec::new();
    if p.at_end() {
        return Ok(out);
    }
    out.push(p.column()?);
    while p.eat_sym(",") {
        out.push(p.column()?);
    }
    p.end()?;
    Ok(out)
}

/// `order_by_clause`: items, each descending or not.
pub fn parse_order_by(text: &str, cols: Columns) -> Result<Vec<(Select, bool)>, ParseError> {
    let mut p = Parser::new("order_by_clause", text, cols)?;
    let mut out = Vec::new();
    if p.at_end() {
        return Ok(out);
    }
    loop {
        let item = p.item()?;
        let desc = if p.eat_kw("DESC") {
            true
        } else {
            p.eat_kw("ASC");
            false
        };
        out.push((item, desc));
        if !p.eat_sym(",") {
            break;
        }
    }
    p.end()?;
    Ok(out)
}

/// `maxhits_clause`: a row count from 1 to `max`.
pub fn parse_limit(text: &str, max: u64) -> Result<u64, ParseError> {
    let t = text.trim();
    match t.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(ParseError {
            clause: "maxhits_clause",
            offset: 0,
            message: format!("{t:?}: expected a row count from 1 to {max}"),
        }),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A word: keyword, column name, number or bare IP address.
    Word(String),
    /// A quoted string.
    Str(String),
    /// Punctuation or an operator.
    Sym(&'static str),
}

fn lex(clause: &'static str, text: &str) -> Result<Vec<(usize, Tok)>, ParseError> {
    let err = |offset: usize, message: String| ParseError {
        clause,
        offset,
        message,
    };
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    while let Some(&(i, c)) = it.peek() {
        if out.len() > MAX_TOKENS {
            return Err(err(i, format!("more than {MAX_TOKENS} tokens")));
        }
        if c.is_whitespace() {
            it.next();
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            let mut w = String::new();
            while let Some(&(_, c)) = it.peek() {
                if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':') {
                    w.push(c);
                    it.next();
                } else {
                    break;
                }
            }
            out.push((i, Tok::Word(w)));
            continue;
        }
        if c == '\'' || c == '"' {
            it.next();
            let mut s = String::new();
            let mut closed = false;
            while let Some((_, d)) = it.next() {
                if d == c {
                    // A doubled quote is a quote.
                    if it.peek().is_some_and(|&(_, e)| e == c) {
                        it.next();
                        s.push(c);
                        continue;
                    }
                    closed = true;
                    break;
                }
                if d == '\\' || d == '\0' {
                    return Err(err(
                        i,
                        "backslashes and NULs are not accepted in strings".into(),
                    ));
                }
                s.push(d);
            }
            if !closed {
                return Err(err(i, "unterminated string".into()));
            }
            out.push((i, Tok::Str(s)));
            continue;
        }
        it.next();
        let next = it.peek().map(|&(_, d)| d);
        let sym = match (c, next) {
            ('=', Some('=')) => Some(("==", true)),
            ('!', Some('=')) => Some(("!=", true)),
            ('<', Some('>')) => Some(("<>", true)),
            ('<', Some('=')) => Some(("<=", true)),
            ('>', Some('=')) => Some((">=", true)),
            ('=', _) => Some(("=", false)),
            ('<', _) => Some(("<", false)),
            ('>', _) => Some((">", false)),
            ('(', _) => Some(("(", false)),
            (')', _) => Some((")", false)),
            (',', _) => Some((",", false)),
            ('*', _) => Some(("*", false)),
            _ => None,
        };
        match sym {
            Some((s, two)) => {
                if two {
                    it.next();
                }
                out.push((i, Tok::Sym(s)));
            }
            None => return Err(err(i, format!("unexpected character {c:?}"))),
        }
    }
    Ok(out)
}

const KEYWORDS: &[&str] = &[
    "AND", "OR", "NOT", "IN", "LIKE", "ASC", "DESC", "COUNT", "SUM", "MIN", "MAX", "AVG", "SELECT",
    "FROM", "WHERE", "UNION", "LIMIT", "NULL",
];

struct Parser<'a> {
    clause: &'static str,
    toks: Vec<(usize, Tok)>,
    pos: usize,
    len: usize,
    cols: Columns,
    _text: &'a str,
}

impl<'a> Parser<'a> {
    fn new(clause: &'static str, text: &'a str, cols: Columns) -> Result<Parser<'a>, ParseError> {
        Ok(Parser {
            clause,
            toks: lex(clause, text)?,
            pos: 0,
            len: text.len(),
            cols,
            _text: text,
        })
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        let offset = self.toks.get(self.pos).map_or(self.len, |(o, _)| *o);
        Err(ParseError {
            clause: self.clause,
            offset,
            message: message.into(),
        })
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    fn end(&self) -> Result<(), ParseError> {
        if self.at_end() {
            Ok(())
        } else {
            self.err("unexpected text after the clause")
        }
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(x)) if *x == s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_sym(&mut self, s: &str) -> Result<(), ParseError> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            self.err(format!("expected {s:?}"))
        }
    }

    fn column(&mut self) -> Result<Column, ParseError> {
        let Some(Tok::Word(w)) = self.peek() else {
            return self.err("expected a column name");
        };
        match self.cols.iter().find(|c| c.name.eq_ignore_ascii_case(w)) {
            Some(c) => {
                self.pos += 1;
                Ok(*c)
            }
            None => {
                let w = w.clone();
                let names: Vec<&str> = self.cols.iter().map(|c| c.name).collect();
                self.err(format!(
                    "unknown column {w:?} (accepted: {})",
                    names.join(", ")
                ))
            }
        }
    }

    fn item(&mut self) -> Result<Select, ParseError> {
        let agg = [
            ("COUNT", Agg::Count),
            ("SUM", Agg::Sum),
            ("MIN", Agg::Min),
            ("MAX", Agg::Max),
            ("AVG", Agg::Avg),
        ]
        .into_iter()
        .find(|(k, _)| self.is_kw(k))
        .map(|(_, a)| a);
        let Some(agg) = agg else {
            return Ok(Select::Column(self.column()?));
        };
        self.pos += 1;
        self.expect_sym("(")?;
        let col = if agg == Agg::Count && self.eat_sym("*") {
            None
        } else {
            let c = self.column()?;
            if agg != Agg::Count && c.kind != Kind::Int {
                return self.err(format!("{}({}): not a numeric column", agg.name(), c.name));
            }
            Some(c)
        };
        self.expect_sym(")")?;
        Ok(Select::Agg(agg, col))
    }

    fn or(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut e = self.and(depth)?;
        while self.eat_kw("OR") {
            e = Expr::Or(Box::new(e), Box::new(self.and(depth)?));
        }
        Ok(e)
    }

    fn and(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut e = self.unary(depth)?;
        while self.eat_kw("AND") {
            e = Expr::And(Box::new(e), Box::new(self.unary(depth)?));
        }
        Ok(e)
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        if depth >= MAX_DEPTH {
            return self.err(format!("nested more than {MAX_DEPTH} deep"));
        }
        if self.eat_kw("NOT") {
            return Ok(Expr::Not(Box::new(self.unary(depth + 1)?)));
        }
        if self.eat_sym("(") {
            let e = self.or(depth + 1)?;
            self.expect_sym(")")?;
            return Ok(e);
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Expr, ParseError> {
        let col = self.column()?;
        let negated = self.eat_kw("NOT");
        if self.eat_kw("IN") {
            self.expect_sym("(")?;
            let mut vs = vec![self.value(col)?];
            while self.eat_sym(",") {
                if vs.len() >= MAX_IN {
                    return self.err(format!("more than {MAX_IN} values in IN (...)"));
                }
                vs.push(self.value(col)?);
            }
            self.expect_sym(")")?;
            let e = Expr::In(col, vs);
            return Ok(if negated { Expr::Not(Box::new(e)) } else { e });
        }
        if self.eat_kw("LIKE") {
            let Some(Tok::Str(s)) = self.peek().cloned() else {
                return self.err("LIKE takes a quoted pattern");
            };
            self.pos += 1;
            let e = Expr::Like(col, s);
            return Ok(if negated { Expr::Not(Box::new(e)) } else { e });
        }
        if negated {
            return self.err("expected IN or LIKE after NOT");
        }
        let op = match self.peek() {
            Some(Tok::Sym("=" | "==")) => Op::Eq,
            Some(Tok::Sym("!=" | "<>")) => Op::Ne,
            Some(Tok::Sym("<")) => Op::Lt,
            Some(Tok::Sym("<=")) => Op::Le,
            Some(Tok::Sym(">")) => Op::Gt,
            Some(Tok::Sym(">=")) => Op::Ge,
            _ => return self.err("expected a comparison operator (=, !=, <, <=, >, >=, IN, LIKE)"),
        };
        self.pos += 1;
        let v = self.value(col)?;
        Ok(Expr::Cmp(col, op, v))
    }

    /// A value for `col`, possibly in parentheses (`IPV4_SRC_ADDR=("1.2.3.4")`).
    fn value(&mut self, col: Column) -> Result<Lit, ParseError> {
        if self.eat_sym("(") {
            let v = self.value_inner(col)?;
            self.expect_sym(")")?;
            return Ok(v);
        }
        self.value_inner(col)
    }

    fn value_inner(&mut self, col: Column) -> Result<Lit, ParseError> {
        let Some(tok) = self.peek().cloned() else {
            return self.err("expected a value");
        };
        let lit = match (&tok, col.kind) {
            (Tok::Word(w), _) if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w)) => {
                return self.err(format!("expected a value, found keyword {w:?}"));
            }
            (Tok::Word(w), Kind::Int) => match w.parse::<i64>() {
                Ok(n) => Lit::Int(n),
                Err(_) => {
                    return self.err(format!("{}: expected an integer, found {w:?}", col.name));
                }
            },
            (Tok::Str(s), Kind::Int) => match s.trim().parse::<i64>() {
                Ok(n) => Lit::Int(n),
                Err(_) => {
                    return self.err(format!("{}: expected an integer, found {s:?}", col.name));
                }
            },
            (Tok::Word(w) | Tok::Str(w), Kind::Ip) => match ip_value(w) {
                Some(ip) => Lit::Text(ip),
                None => {
                    return self.err(format!("{}: expected an IP address, found {w:?}", col.name));
                }
            },
            (Tok::Str(s), Kind::Text) => Lit::Text(s.clone()),
            (Tok::Word(w), Kind::Text) => {
                // Bare words are accepted for text only when they are not column names
                // (no column-to-column comparison).
                if self.cols.iter().any(|c| c.name.eq_ignore_ascii_case(w)) {
                    return self.err(format!(
                        "{}: comparing two columns is not supported",
                        col.name
                    ));
                }
                Lit::Text(w.clone())
            }
            (Tok::Sym(s), _) => return self.err(format!("expected a value, found {s:?}")),
        };
        self.pos += 1;
        Ok(lit)
    }
}

/// An IP address in canonical text, from text or (IPv4) ntopng's 32-bit number.
fn ip_value(s: &str) -> Option<String> {
    if let Ok(ip) = s.trim().parse::<IpAddr>() {
        return Some(ip.to_string());
    }
    let n = s.trim().parse::<u32>().ok()?;
    Some(std::net::Ipv4Addr::from(n).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const COLS: Columns = &[
        Column {
            name: "IPV4_SRC_ADDR",
            kind: Kind::Ip,
        },
        Column {
            name: "IPV4_DST_ADDR",
            kind: Kind::Ip,
        },
        Column {
            name: "PROTOCOL",
            kind: Kind::Int,
        },
        Column {
            name: "IP_PROTOCOL_VERSION",
            kind: Kind::Int,
        },
        Column {
            name: "L7_PROTO_NAME",
            kind: Kind::Text,
        },
        Column {
            name: "TOTAL_BYTES",
            kind: Kind::Int,
        },
    ];

    fn row(c: &Column) -> Option<Lit> {
        match c.name {
            "IPV4_SRC_ADDR" => Some(Lit::Text("192.168.1.20".into())),
            "IPV4_DST_ADDR" => Some(Lit::Text("8.8.8.8".into())),
            "PROTOCOL" => Some(Lit::Int(6)),
            "IP_PROTOCOL_VERSION" => Some(Lit::Int(4)),
            "L7_PROTO_NAME" => Some(Lit::Text("TLS.Google".into())),
            "TOTAL_BYTES" => Some(Lit::Int(1000)),
            _ => None,
        }
    }

    #[test]
    fn the_clients_where_clause() {
        let w = "(IP_PROTOCOL_VERSION=4) AND IPV4_SRC_ADDR=(\"192.168.1.20\") AND (PROTOCOL=6) ";
        let e = parse_where(w, COLS).unwrap().unwrap();
        assert!(e.matches(&row));
        assert_eq!(
            e.columns(),
            ["IPV4_SRC_ADDR", "IP_PROTOCOL_VERSION", "PROTOCOL"]
        );
        let e = parse_where("ipv4_src_addr = 3232235796 and protocol != 17", COLS)
            .unwrap()
            .unwrap();
        assert!(e.matches(&row), "IPv4 as a number, keywords in any case");
        let e = parse_where(
            "NOT (PROTOCOL IN (17, 1)) AND L7_PROTO_NAME LIKE 'TLS.%' OR TOTAL_BYTES > 5000",
            COLS,
        )
        .unwrap()
        .unwrap();
        assert!(e.matches(&row));
        let e = parse_where(
            "TOTAL_BYTES >= 1001 OR L7_PROTO_NAME NOT LIKE '%Google'",
            COLS,
        )
        .unwrap()
        .unwrap();
        assert!(!e.matches(&row));
        assert_eq!(parse_where("  ", COLS).unwrap(), None);
    }

    #[test]
    fn everything_else_is_refused() {
        for bad in [
            "1=1; DROP TABLE flows",
            "PROTOCOL = 6 UNION SELECT * FROM users",
            "PASSWORD = 'x'",
            "PROTOCOL = 'six'",
            "IPV4_SRC_ADDR = 'not an ip'",
            "PROTOCOL = PROTOCOL",
            "L7_PROTO_NAME = IPV4_DST_ADDR",
            "PROTOCOL = 6 --",
            "PROTOCOL = 6 /* x */",
            "(PROTOCOL = 6",
            "PROTOCOL = 6)",
            "PROTOCOL",
            "L7_PROTO_NAME = 'a\\' OR 1=1'",
            "L7_PROTO_NAME = 'unterminated",
            "PROTOCOL IN ()",
            "sleep(5)",
        ] {
            let r = parse_where(bad, COLS);
            assert!(r.is_err(), "{bad:?} accepted: {r:?}");
        }
        let deep = format!("{}PROTOCOL=6{}", "(".repeat(40), ")".repeat(40));
        assert!(
            parse_where(&deep, COLS)
                .unwrap_err()
                .message
                .contains("nested")
        );
        let long = vec!["PROTOCOL=6"; 200].join(" AND ");
        assert!(
            parse_where(&long, COLS)
                .unwrap_err()
                .message
                .contains("tokens")
        );
        let e = parse_where("PROTOCOL = 6 AND FOO = 1", COLS).unwrap_err();
        assert_eq!(e.offset, 17);
        assert!(
            e.to_string()
                .starts_with("where_clause at byte 17: unknown column \"FOO\"")
        );
    }

    #[test]
    fn select_group_order_limit() {
        assert_eq!(parse_select("*", COLS).unwrap(), None);
        assert_eq!(parse_select("", COLS).unwrap(), None);
        let s = parse_select(
            "IPV4_SRC_ADDR,IPV4_DST_ADDR,PROTOCOL, sum(TOTAL_BYTES), COUNT(*)",
            COLS,
        )
        .unwrap()
        .unwrap();
        let labels: Vec<String> = s.iter().map(Select::label).collect();
        assert_eq!(
            labels,
            [
                "IPV4_SRC_ADDR",
                "IPV4_DST_ADDR",
                "PROTOCOL",
                "SUM(TOTAL_BYTES)",
                "COUNT(*)"
            ]
        );
        assert!(parse_select("SUM(L7_PROTO_NAME)", COLS).is_err());
        assert!(parse_select("*, PROTOCOL", COLS).is_err());
        assert!(parse_select("PROTOCOL FROM flows", COLS).is_err());
        assert_eq!(
            parse_group_by("IPV4_SRC_ADDR, PROTOCOL", COLS)
                .unwrap()
                .len(),
            2
        );
        let o = parse_order_by("TOTAL_BYTES DESC, PROTOCOL", COLS).unwrap();
        assert_eq!(o.len(), 2);
        assert!(o[0].1 && !o[1].1);
        assert!(parse_order_by("TOTAL_BYTES DESC LIMIT 5", COLS).is_err());
        assert_eq!(parse_limit(" 10 ", 1000).unwrap(), 10);
        assert!(parse_limit("0", 1000).is_err());
        assert!(parse_limit("10; x", 1000).is_err());
        assert!(parse_limit("100000", 1000).is_err());
    }

    #[test]
    fn like_patterns() {
        assert!(like("TLS.Google", "TLS.%"));
        assert!(like("TLS.Google", "%Goo_le"));
        assert!(like("", "%"));
        assert!(!like("DNS", "TLS%"));
        assert!(like("a%b", "a%b"));
        assert!(!like("ab", "a_b"));
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in ".{0,300}") {
            let _ = parse_where(&s, COLS);
            let _ = parse_select(&s, COLS);
            let _ = parse_group_by(&s, COLS);
            let _ = parse_order_by(&s, COLS);
            let _ = parse_limit(&s, 1000);
        }

        #[test]
        fn token_soup_never_panics(
            toks in proptest::collection::vec(
                proptest::sample::select(vec![
                    "(", ")", "AND", "OR", "NOT", "IN", "LIKE", ",", "=", "!=", "<", ">=",
                    "PROTOCOL", "IPV4_SRC_ADDR", "L7_PROTO_NAME", "6", "'x%'", "\"1.2.3.4\"",
                    "*", "SUM", "COUNT", "DESC", "3232235796", "'", "--",
                ]),
                0..80,
            )
        ) {
            let s = toks.join(" ");
            if let Ok(Some(e)) = parse_where(&s, COLS) {
                // What parses evaluates without panicking.
                let _ = e.matches(&row);
            }
            let _ = parse_select(&s, COLS);
            let _ = parse_order_by(&s, COLS);
        }
    }
}
