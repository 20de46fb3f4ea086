//! [`Parameters`]: the tools' argument extractor. It is rmcp's `Parameters` (the tool macros
//! find it by name and take the tool's input schema from `T`), except that a value of the wrong
//! shape is reported with the argument it was given for (`limit: invalid type: string "ten",
//! expected u32`), not serde's bare message; rmcp still answers it as a tool error.

use rmcp::handler::server::common::FromContextPart;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::ErrorData;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use std::borrow::Cow;

/// A tool's arguments, parsed into `T`.
#[derive(Debug, Clone)]
pub struct Parameters<T>(pub T);

impl<T: JsonSchema> JsonSchema for Parameters<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<S, T: DeserializeOwned> FromContextPart<ToolCallContext<'_, S>> for Parameters<T> {
    fn from_context_part(context: &mut ToolCallContext<'_, S>) -> Result<Self, ErrorData> {
        let arguments = serde_json::Value::Object(context.arguments.take().unwrap_or_default());
        serde_path_to_error::deserialize(arguments)
            .map(Parameters)
            .map_err(|e| {
                let path = e.path().to_string();
                let message = if path == "." {
                    e.inner().to_string()
                } else {
                    format!("`{path}`: {}", e.inner())
                };
                // rmcp turns an invalid-params error with this prefix into a tool error.
                ErrorData::invalid_params(
                    format!("failed to deserialize parameters: {message}"),
                    None,
                )
            })
    }
}
