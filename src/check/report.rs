//! Reporting helpers shared by the typing files: type mismatches with their
//! conversion help, counts in words, and the joined type of several values.

use super::error::CheckError;
use super::Checker;
use crate::ir::{TExpr, Type};

impl Checker<'_> {
    /// Reports an `ArgumentType` unless `e` fits `expected`.
    pub(super) fn expect(&mut self, e: &TExpr, expected: &Type, what: &str) -> bool {
        if e.ty.fits(expected) {
            return true;
        }
        self.error(CheckError::ArgumentType {
            what: what.to_string(),
            expected: format!("`{expected}`"),
            found: e.ty.to_string(),
            span: e.span,
            help: conversion_help(&e.ty, expected),
        });
        false
    }

    pub(super) fn type_error(&mut self, what: &str, expected: &str, e: &TExpr) {
        self.error(CheckError::ArgumentType {
            what: what.to_string(),
            expected: expected.to_string(),
            found: e.ty.to_string(),
            span: e.span,
            help: None,
        });
    }
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub(super) fn join_all<'a>(mut types: impl Iterator<Item = &'a Type>) -> Type {
    let Some(first) = types.next() else {
        return Type::Any;
    };
    types.fold(first.clone(), |acc, t| acc.join(t))
}

fn conversion_help(found: &Type, expected: &Type) -> Option<String> {
    match (found, expected) {
        (Type::Str, Type::Int) => Some("convert it with `int(…)`".to_string()),
        (Type::Str, Type::Float) => Some("convert it with `float(…)`".to_string()),
        (Type::Int | Type::Float, Type::Str) => Some("convert it with `str(…)`".to_string()),
        _ => None,
    }
}
