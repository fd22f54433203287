//! The `bare_hashtag` warning: `hashtag()` in an f-string without literal braces.

use super::error::CheckError;
use super::Checker;
use crate::ir::{Builtin, FStrPart, TExprKind};

impl Checker<'_> {
    /// `hashtag()` gives the tag without braces (`06S`); only `{06S}` in a key name is a
    /// Redis hash tag that keeps the key on the shard. `f"expired:{hashtag()}"` is an easy
    /// slip (the RedisGears original writes `"expired:{%s}" % hashtag()`).
    pub(super) fn warn_bare_hashtags(&mut self, parts: &[FStrPart]) {
        for (i, part) in parts.iter().enumerate() {
            let FStrPart::Expr(e) = part else { continue };
            if !matches!(
                e.kind,
                TExprKind::CallBuiltin {
                    builtin: Builtin::Hashtag,
                    ..
                }
            ) {
                continue;
            }
            let text = |j: Option<usize>| match j.and_then(|j| parts.get(j)) {
                Some(FStrPart::Text(t)) => t.as_str(),
                _ => "",
            };
            let opened = text(i.checked_sub(1)).ends_with('{');
            let closed = text(Some(i + 1)).starts_with('}');
            if !(opened && closed) {
                self.error(CheckError::BareHashtag { span: e.span });
            }
        }
    }
}
