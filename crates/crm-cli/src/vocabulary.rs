//! Command-line choices from crm-core's vocabularies: the names a flag
//! accepts (and `--help` lists) are crm-core's, spelled nowhere here.

use clap::builder::{PossibleValuesParser, TypedValueParser};
use crm_core::vocabulary::Vocabulary;

/// The clap parser of a vocabulary: accepts exactly [`Vocabulary::names`]
/// and yields the value.
pub fn names<V>() -> impl TypedValueParser<Value = V>
where
    V: Vocabulary + Send + Sync + Clone,
{
    PossibleValuesParser::new(V::names()).try_map(|name| V::from_name(&name))
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use crm_core::value::rfm::Monetary;

    #[derive(Debug, Parser)]
    struct Args {
        #[arg(long, value_parser = super::names::<Monetary>(), default_value_t = Monetary::default())]
        monetary: Monetary,
    }

    #[test]
    fn every_core_name_parses_and_nothing_else() {
        for name in <Monetary as crm_core::vocabulary::Vocabulary>::names() {
            let a = Args::try_parse_from(["x", "--monetary", name]).map(|a| a.monetary.to_string());
            assert_eq!(a.ok().as_deref(), Some(name));
        }
        assert!(Args::try_parse_from(["x", "--monetary", "mean"]).is_err());
        assert_eq!(
            Args::try_parse_from(["x"]).ok().map(|a| a.monetary),
            Some(Monetary::Total)
        );
    }
}
