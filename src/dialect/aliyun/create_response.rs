//! Create responses (CreateVpnConnection, CreateIpsecServer) carry the new object's ID and no
//! settings: read as a connection they would only report every missing field. They get one
//! diagnostic that says what the document is and which call returns the settings.

use crate::diag::Diagnostic;

use crate::dialect::fields::{Ctx, Obj};

/// Keys a create response holds; a document with nothing else is one.
const ID_KEYS: &[&str] = &[
    "RequestId",
    "CreateTime",
    "CreationTime",
    "RegionId",
    "VpnGatewayId",
    "VpnConnectionId",
    "IpsecServerId",
    "Name",
];

/// When `root` is a create response, report it (once) and return true. `id_key` names the
/// created object's ID and `describe` the call that returns its settings.
pub fn diagnosed(ctx: &Ctx, root: &Obj, id_key: &'static str, describe: &str) -> bool {
    let keys = root.keys();
    let only_ids = !keys.is_empty() && keys.iter().all(|k| ID_KEYS.contains(k));
    let Some(id) = root.node(id_key).filter(|_| only_ids) else {
        return false;
    };
    root.ignore(ID_KEYS);
    let shown = match &id.value {
        crate::tree::Value::Str(s) => s.clone(),
        _ => String::from("..."),
    };
    ctx.push(
        Diagnostic::error(
            "input.create-response",
            format!("this is a create response: it holds the new object's ID ({shown}) and none of its settings"),
        )
        .at(Some(id.span), "the only setting here")
        .help(format!(
            "pass what `aliyun vpc {describe} --{id_key} {shown}` prints instead"
        )),
    );
    true
}
