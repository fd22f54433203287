//! The closed vocabularies of the language (readers, operations, modes, failure
//! policies, key types, keyspace events, `run`/`register`) share one shape: an enum
//! whose every variant has exactly one spelling. The checker parses the user's word
//! with [`Word::parse`], suggests from [`Word::ALL`], and matches the enum from then on,
//! so a word is spelled in one place and a forgotten case is a compile error.

/// A word of one of the language's closed vocabularies.
pub trait Word: Copy + Eq + 'static {
    /// What the words name, for messages: "execution mode".
    const KIND: &'static str;
    /// Every word, in the order messages list them.
    const ALL: &'static [Self];

    /// The word as the user writes it (and, unless said otherwise, as RedisGears spells it).
    fn spelling(self) -> &'static str;

    fn parse(word: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|w| w.spelling() == word)
    }

    fn spellings() -> Vec<&'static str> {
        Self::ALL.iter().map(|w| w.spelling()).collect()
    }
}

/// Declares an enum of words with their spellings and implements [`Word`] for it.
macro_rules! words {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($kind:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $spelling:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $crate::ir::vocabulary::Word for $name {
            const KIND: &'static str = $kind;
            const ALL: &'static [Self] = &[$($name::$variant),+];

            fn spelling(self) -> &'static str {
                match self {
                    $( $name::$variant => $spelling, )+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::ir::vocabulary::Word::spelling(*self))
            }
        }
    };
}
pub(crate) use words;

/// One parameter of a reader, operation, terminal or builtin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: &'static str,
    pub required: bool,
    /// May be given without its name (in declaration order).
    pub positional: bool,
}

/// Required, by position or by name.
pub const fn req(name: &'static str) -> Param {
    Param {
        name,
        required: true,
        positional: true,
    }
}

/// Optional, by position or by name.
pub const fn opt(name: &'static str) -> Param {
    Param {
        name,
        required: false,
        positional: true,
    }
}

/// Optional and only by name: `read_value = false`.
pub const fn named(name: &'static str) -> Param {
    Param {
        name,
        required: false,
        positional: false,
    }
}

words! {
    /// How a pipeline ends: executed once, or installed for events.
    pub enum TerminalKind ("terminal") {
        Run = "run",
        Register = "register",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_parses_back_from_its_spelling() {
        for t in TerminalKind::ALL {
            assert_eq!(TerminalKind::parse(t.spelling()), Some(*t));
        }
        assert_eq!(TerminalKind::parse("Run"), None);
        assert_eq!(TerminalKind::spellings(), ["run", "register"]);
    }
}
