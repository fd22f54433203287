//! The operations of a pipeline (language.md section 4): spellings, parameters, and
//! where the records are after each (still spread over the shards, or together).

use super::vocabulary::{named, opt, req, words, Param};

words! {
    /// A pipeline step between the reader and the terminal.
    pub enum Operation ("operation") {
        Map = "map",
        FlatMap = "flatmap",
        Filter = "filter",
        Foreach = "foreach",
        Accumulate = "accumulate",
        LocalGroupBy = "localgroupby",
        GroupBy = "groupby",
        BatchGroupBy = "batchgroupby",
        Aggregate = "aggregate",
        AggregateBy = "aggregateby",
        Repartition = "repartition",
        Collect = "collect",
        Limit = "limit",
        Sort = "sort",
        Distinct = "distinct",
        Count = "count",
        CountBy = "countby",
        Avg = "avg",
    }
}

impl Operation {
    /// Its parameters, in positional order.
    pub fn params(self) -> &'static [Param] {
        use Operation::*;
        match self {
            Map | FlatMap | Filter | Foreach | Repartition => const { &[req("expr")] },
            Accumulate => const { &[req("zero"), req("reducer")] },
            LocalGroupBy | GroupBy => const { &[req("expr"), req("zero"), req("reducer")] },
            BatchGroupBy => const { &[req("expr"), req("reducer")] },
            Aggregate => const { &[req("zero"), req("seq"), opt("comb")] },
            AggregateBy => const { &[req("expr"), req("zero"), req("seq"), opt("comb")] },
            Limit => const { &[req("n"), opt("offset")] },
            Sort => const { &[named("by"), named("reverse")] },
            CountBy | Avg => const { &[opt("expr")] },
            Collect | Distinct | Count => &[],
        }
    }

    /// Works on each shard's records alone: on records spread over the shards it gives
    /// one result per shard (the shard-local warning of section 4).
    pub fn is_shard_local(self) -> bool {
        matches!(
            self,
            Operation::Accumulate | Operation::LocalGroupBy | Operation::Limit
        )
    }

    /// Folds the per-shard results of the shard-local `local` into one answer, when it
    /// runs on records brought together (or is global itself): a `localgroupby` is
    /// merged by a later `groupby` (the documented two-step grouping), an `accumulate` by
    /// an `aggregate` or by an `accumulate` after `collect`, a `limit` by a `limit`
    /// after `collect`. `sorted_between`: a `sort` came between the two, which makes a
    /// limit before it cut the records before they were ordered: not a merge.
    pub fn merges(self, local: Operation, sorted_between: bool) -> bool {
        use Operation::*;
        match local {
            Accumulate => matches!(self, Accumulate | Aggregate),
            LocalGroupBy => matches!(self, LocalGroupBy | GroupBy | AggregateBy | BatchGroupBy),
            Limit => self == Limit && !sorted_between,
            _ => false,
        }
    }

    /// Records spread over the shards stay spread after it; every other operation
    /// moves or merges them.
    pub fn keeps_records_spread(self) -> bool {
        matches!(
            self,
            Operation::Map
                | Operation::FlatMap
                | Operation::Filter
                | Operation::Foreach
                | Operation::Accumulate
                | Operation::LocalGroupBy
                | Operation::Limit
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::vocabulary::Word;
    use super::*;

    #[test]
    fn shard_local_operations_keep_records_spread_and_can_be_merged() {
        for op in Operation::ALL {
            if op.is_shard_local() {
                assert!(op.keeps_records_spread(), "{op}");
                assert!(op.merges(*op, false), "{op}");
            } else {
                assert!(!Operation::Aggregate.merges(*op, false), "{op}");
            }
        }
        assert!(!Operation::Limit.merges(Operation::Limit, true));
    }
}
