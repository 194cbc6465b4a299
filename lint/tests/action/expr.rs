//! The GitHub Actions expressions `action.yml` uses, evaluated as the runner does: `${{ }}` templates and `if:` conditions.
//!
//! Covers the documented subset the action can reasonably use: string, number,
//! boolean and null literals, context paths (`inputs.fail-on`,
//! `steps.sarif.outputs.sarif-file`), `!`, `==`, `!=`, `&&`, `||`, parentheses and
//! the status functions. Comparison follows GitHub's rules: strings compare
//! ignoring case, values of different types are compared as numbers (`null` and
//! `''` are both 0, so an unset output equals `''`). Anything else (another
//! function, an operator it does not know) is a test failure naming the
//! expression, so the action cannot quietly outgrow this model.

/// A value an expression evaluates to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
}

impl Value {
    /// GitHub's truthiness: `false`, `0`, `''` and `null` are false.
    pub(crate) fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::Str(s) => !s.is_empty(),
        }
    }

    /// The value as text, as it is spliced into a `${{ }}` template.
    pub(crate) fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Str(s) => s.clone(),
        }
    }

    fn to_number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::Str(s) if s.trim().is_empty() => 0.0,
            Value::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
        }
    }

    fn loosely_equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a.eq_ignore_ascii_case(b),
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Null, Value::Null) => true,
            #[allow(
                clippy::float_cmp,
                reason = "GitHub compares the coerced numbers exactly"
            )]
            _ => self.to_number() == other.to_number(),
        }
    }
}

/// What an expression can look up: contexts by path, and the status functions.
pub(crate) trait Contexts {
    /// The value at a context path such as `["inputs", "fail-on"]`.
    fn lookup(&self, path: &[&str]) -> Value;
    /// The value of a status function: `success`, `failure`, `always`, `cancelled`.
    fn status(&self, function: &str) -> bool;
}

/// Evaluates one expression (the text between `${{` and `}}`, or an `if:` value).
pub(crate) fn evaluate(expression: &str, contexts: &dyn Contexts) -> Value {
    let tokens = tokenize(expression);
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
        expression,
        contexts,
    };
    let value = parser.or();
    assert!(
        parser.at == tokens.len(),
        "unexpected `{:?}` in expression `{expression}`",
        tokens[parser.at]
    );
    value
}

/// Evaluates an `if:` condition: `${{ }}` is optional around it, and a condition
/// without a status function means `success() && (condition)`, as GitHub reads it.
pub(crate) fn condition_holds(condition: Option<&str>, contexts: &dyn Contexts) -> bool {
    let Some(condition) = condition else {
        return contexts.status("success");
    };
    let trimmed = condition.trim();
    let inner = trimmed
        .strip_prefix("${{")
        .and_then(|rest| rest.strip_suffix("}}"))
        .unwrap_or(trimmed);
    let uses_status = ["success(", "failure(", "always(", "cancelled("]
        .iter()
        .any(|function| inner.contains(function));
    let holds = evaluate(inner, contexts).is_truthy();
    if uses_status {
        holds
    } else {
        contexts.status("success") && holds
    }
}

/// Replaces every `${{ expression }}` in `text` with its value.
pub(crate) fn substitute(text: &str, contexts: &dyn Contexts) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 3..];
        let end = after
            .find("}}")
            .unwrap_or_else(|| panic!("unterminated `${{{{` in `{text}`"));
        out.push_str(&evaluate(&after[..end], contexts).to_text());
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Path(Vec<String>),
    Call(String),
    Literal(Value),
    Not,
    And,
    Or,
    Eq,
    Ne,
    Open,
    Close,
}

fn tokenize(expression: &str) -> Vec<Token> {
    const SYMBOLS: [(&str, Token); 7] = [
        ("&&", Token::And),
        ("||", Token::Or),
        ("==", Token::Eq),
        ("!=", Token::Ne),
        ("!", Token::Not),
        ("(", Token::Open),
        (")", Token::Close),
    ];
    let mut tokens = Vec::new();
    let mut rest = expression.trim_start();
    'next: while !rest.is_empty() {
        for (symbol, token) in &SYMBOLS {
            if let Some(after) = rest.strip_prefix(symbol) {
                tokens.push(token.clone());
                rest = after.trim_start();
                continue 'next;
            }
        }
        let (token, after) = if let Some(body) = rest.strip_prefix('\'') {
            string_literal(body, expression)
        } else if rest.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
            let end = rest[1..]
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .map_or(rest.len(), |i| i + 1);
            let number = rest[..end]
                .parse()
                .unwrap_or_else(|_| panic!("bad number `{}` in `{expression}`", &rest[..end]));
            (Token::Literal(Value::Number(number)), &rest[end..])
        } else if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            word(rest)
        } else {
            panic!("unexpected `{rest}` in expression `{expression}`");
        };
        tokens.push(token);
        rest = after.trim_start();
    }
    tokens
}

/// A string literal after its opening quote; `''` inside it is one quote.
fn string_literal<'a>(body: &'a str, expression: &str) -> (Token, &'a str) {
    let mut text = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\'' {
            text.push(c);
        } else if chars.peek().is_some_and(|&(_, next)| next == '\'') {
            text.push('\'');
            chars.next();
        } else {
            return (Token::Literal(Value::Str(text)), &body[i + 1..]);
        }
    }
    panic!("unterminated string in `{expression}`");
}

/// A context path (`steps.sarif.outputs.sarif-file`), a literal word or a call `name()`.
fn word(text: &str) -> (Token, &str) {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .unwrap_or(text.len());
    let (word, rest) = text.split_at(end);
    if let Some(after) = rest.strip_prefix("()") {
        return (Token::Call(word.to_owned()), after);
    }
    let token = match word {
        "true" => Token::Literal(Value::Bool(true)),
        "false" => Token::Literal(Value::Bool(false)),
        "null" => Token::Literal(Value::Null),
        _ => Token::Path(word.split('.').map(str::to_owned).collect()),
    };
    (token, rest)
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    expression: &'a str,
    contexts: &'a dyn Contexts,
}

impl Parser<'_> {
    fn eat(&mut self, token: &Token) -> bool {
        let found = self.tokens.get(self.at) == Some(token);
        if found {
            self.at += 1;
        }
        found
    }

    /// `a || b`: the first truthy operand, else the last (evaluation is not short-circuited: nothing here has side effects).
    fn or(&mut self) -> Value {
        let mut value = self.and();
        while self.eat(&Token::Or) {
            let right = self.and();
            if !value.is_truthy() {
                value = right;
            }
        }
        value
    }

    /// `a && b`: the first falsy operand, else the last.
    fn and(&mut self) -> Value {
        let mut value = self.comparison();
        while self.eat(&Token::And) {
            let right = self.comparison();
            if value.is_truthy() {
                value = right;
            }
        }
        value
    }

    fn comparison(&mut self) -> Value {
        let left = self.unary();
        if self.eat(&Token::Eq) {
            let right = self.unary();
            return Value::Bool(left.loosely_equals(&right));
        }
        if self.eat(&Token::Ne) {
            let right = self.unary();
            return Value::Bool(!left.loosely_equals(&right));
        }
        left
    }

    fn unary(&mut self) -> Value {
        if self.eat(&Token::Not) {
            return Value::Bool(!self.unary().is_truthy());
        }
        self.primary()
    }

    fn primary(&mut self) -> Value {
        let expression = self.expression;
        let Some(token) = self.tokens.get(self.at).cloned() else {
            panic!("expression `{expression}` ends too early");
        };
        self.at += 1;
        match token {
            Token::Open => {
                let value = self.or();
                assert!(self.eat(&Token::Close), "missing `)` in `{expression}`");
                value
            }
            Token::Literal(value) => value,
            Token::Call(function) => Value::Bool(self.contexts.status(&function)),
            Token::Path(path) => {
                let parts: Vec<&str> = path.iter().map(String::as_str).collect();
                self.contexts.lookup(&parts)
            }
            other => panic!("unexpected `{other:?}` in expression `{expression}`"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;

    impl Contexts for Fixed {
        fn lookup(&self, path: &[&str]) -> Value {
            match path {
                ["inputs", "sarif"] => Value::Str("true".into()),
                ["inputs", "fail-on"] => Value::Str(String::new()),
                ["steps", "sarif", "outputs", "sarif-file"] => Value::Null,
                _ => panic!("unknown context {path:?}"),
            }
        }
        fn status(&self, function: &str) -> bool {
            match function {
                "success" | "cancelled" => false,
                "failure" | "always" => true,
                _ => panic!("unknown function `{function}`"),
            }
        }
    }

    #[test]
    fn comparisons_follow_githubs_loose_rules() {
        assert!(evaluate("inputs.sarif == 'TRUE'", &Fixed).is_truthy());
        assert!(evaluate("steps.sarif.outputs.sarif-file == ''", &Fixed).is_truthy());
        assert!(!evaluate("steps.sarif.outputs.sarif-file != ''", &Fixed).is_truthy());
        assert!(evaluate("1 == '1'", &Fixed).is_truthy());
        assert!(!evaluate("'a' == 0", &Fixed).is_truthy());
        assert_eq!(
            evaluate("inputs.fail-on || 'x'", &Fixed),
            Value::Str("x".into())
        );
        assert_eq!(
            evaluate("inputs.sarif && 'it''s'", &Fixed),
            Value::Str("it's".into())
        );
    }

    #[test]
    fn conditions_without_a_status_function_require_success() {
        assert!(!condition_holds(Some("inputs.sarif == 'true'"), &Fixed));
        assert!(condition_holds(
            Some("${{ !cancelled() && inputs.sarif == 'true' }}"),
            &Fixed
        ));
        assert!(!condition_holds(None, &Fixed));
        assert!(condition_holds(
            Some("failure() && !(inputs.fail-on)"),
            &Fixed
        ));
    }

    #[test]
    fn templates_splice_values_as_text() {
        assert_eq!(
            substitute("a=${{ inputs.sarif }}, b=${{inputs.fail-on}}.", &Fixed),
            "a=true, b=."
        );
    }
}
