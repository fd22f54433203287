//! The types of Gear values (language.md section 5, "Types").

use std::fmt;
use std::sync::Arc;

/// Every typed expression of the IR carries its type, so a clone must be cheap: the
/// inner types are shared (`Arc`), and cloning a record type or a `list[…]` copies a
/// pointer instead of its fields' names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Int,
    Float,
    Str,
    Bool,
    None,
    /// The gradual escape hatch: compatible with everything.
    Any,
    List(Arc<Type>),
    Set(Arc<Type>),
    Dict(Arc<Type>, Arc<Type>),
    /// A record `{key: str, value: any}`; at run time a Python dict.
    Record(Arc<[Field]>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    pub name: String,
    pub ty: Type,
    /// `T?`: the field may hold `none` (e.g. `event` outside a registration).
    pub optional: bool,
}

impl Field {
    pub fn new(name: &str, ty: Type) -> Self {
        Field {
            name: name.to_string(),
            ty,
            optional: false,
        }
    }

    pub fn optional(name: &str, ty: Type) -> Self {
        Field {
            optional: true,
            ..Field::new(name, ty)
        }
    }
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Arc::new(t))
    }

    pub fn set(t: Type) -> Type {
        Type::Set(Arc::new(t))
    }

    pub fn dict(k: Type, v: Type) -> Type {
        Type::Dict(Arc::new(k), Arc::new(v))
    }

    pub fn record(fields: Vec<Field>) -> Type {
        Type::Record(fields.into())
    }

    /// The `{key: str, value: A}` record of every by-key operation.
    pub fn group(value: Type) -> Type {
        Type::record(vec![
            Field::new("key", Type::Str),
            Field::new("value", value),
        ])
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        match self {
            Type::Record(fields) => fields.iter().find(|f| f.name == name),
            _ => None,
        }
    }

    pub fn is_any(&self) -> bool {
        matches!(self, Type::Any)
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self, Type::Int | Type::Float | Type::Bool)
    }

    /// Numbers, or `any` (which might be one).
    pub fn may_be_numeric(&self) -> bool {
        self.is_numeric() || self.is_any()
    }

    /// What iterating over a value of this type yields, if it is iterable.
    pub fn element(&self) -> Option<Type> {
        match self {
            Type::List(t) | Type::Set(t) => Some((**t).clone()),
            Type::Str => Some(Type::Str),
            Type::Dict(k, _) => Some((**k).clone()),
            Type::Record(_) => Some(Type::Str),
            Type::Any => Some(Type::Any),
            _ => None,
        }
    }

    /// Python can order two values of this type with `<`: numbers, strings, and lists
    /// of them (compared element by element).
    pub fn is_orderable(&self) -> bool {
        match self {
            Type::Int | Type::Float | Type::Bool | Type::Str | Type::Any => true,
            Type::List(t) => t.is_orderable(),
            _ => false,
        }
    }

    /// The value type of a `{key, value}` group record (what `groupby`, `countby`, …
    /// produce), if this is one.
    pub fn group_value(&self) -> Option<&Type> {
        match self {
            Type::Record(fields) if fields.len() == 2 && self.field("key")?.ty == Type::Str => {
                self.field("value").map(|f| &f.ty)
            }
            _ => None,
        }
    }

    /// Python can put a value of this type in a set (or use it as a dict key).
    pub fn is_hashable(&self) -> bool {
        !matches!(
            self,
            Type::List(_) | Type::Set(_) | Type::Dict(..) | Type::Record(_)
        )
    }

    /// `len()` works on it.
    pub fn is_sized(&self) -> bool {
        matches!(
            self,
            Type::Str | Type::List(_) | Type::Set(_) | Type::Dict(..) | Type::Record(_) | Type::Any
        )
    }

    /// Can a value of type `self` be used where `expected` is wanted?
    pub fn fits(&self, expected: &Type) -> bool {
        match (self, expected) {
            (Type::Any, _) | (_, Type::Any) => true,
            (Type::Int, Type::Float) | (Type::Bool, Type::Int) | (Type::Bool, Type::Float) => true,
            (Type::List(a), Type::List(b)) | (Type::Set(a), Type::Set(b)) => a.fits(b),
            (Type::Dict(ka, va), Type::Dict(kb, vb)) => ka.fits(kb) && va.fits(vb),
            (Type::Record(_), Type::Dict(k, _)) => Type::Str.fits(k),
            (Type::Record(a), Type::Record(b)) => b.iter().all(|fb| {
                a.iter()
                    .find(|fa| fa.name == fb.name)
                    .is_some_and(|fa| fa.ty.fits(&fb.ty))
            }),
            (a, b) => a == b,
        }
    }

    /// The most precise type that both values fit (for `if`/`else`, list
    /// elements, an accumulator that starts as the zero and becomes the reducer's result).
    pub fn join(&self, other: &Type) -> Type {
        match (self, other) {
            (a, b) if a == b => a.clone(),
            (Type::None, b) => b.clone(),
            (a, Type::None) => a.clone(),
            (Type::Int | Type::Bool, Type::Float) | (Type::Float, Type::Int | Type::Bool) => {
                Type::Float
            }
            (Type::Bool, Type::Int) | (Type::Int, Type::Bool) => Type::Int,
            (Type::List(a), Type::List(b)) => Type::list(a.join(b)),
            (Type::Set(a), Type::Set(b)) => Type::set(a.join(b)),
            (Type::Dict(ka, va), Type::Dict(kb, vb)) => Type::dict(ka.join(kb), va.join(vb)),
            _ => Type::Any,
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Int => f.write_str("int"),
            Type::Float => f.write_str("float"),
            Type::Str => f.write_str("str"),
            Type::Bool => f.write_str("bool"),
            Type::None => f.write_str("none"),
            Type::Any => f.write_str("any"),
            Type::List(t) => write!(f, "list[{t}]"),
            Type::Set(t) => write!(f, "set[{t}]"),
            Type::Dict(k, v) => write!(f, "dict[{k}, {v}]"),
            Type::Record(fields) => {
                f.write_str("{")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    let mark = if field.optional { "?" } else { "" };
                    write!(f, "{}: {}{mark}", field.name, field.ty)?;
                }
                f.write_str("}")
            }
        }
    }
}
