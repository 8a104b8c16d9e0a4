//! Alibaba Cloud VPN Gateway: IPsec-VPN connections (request and response forms, lists, the
//! customer-side download), the IPsec server, create responses, and the gateway documents
//! joined to connections by ID; the IkeConfig/IpsecConfig phases and words they share.

pub mod connection;
mod create_response;
mod download;
mod download_tunnels;
pub mod ipsec_server;
mod lists;
mod phases;
mod tunnels;
mod vocab;

pub(crate) use create_response::diagnosed as create_response_diagnosed;
pub(crate) use download::read as read_download;
pub(crate) use lists::{
    ipsec_servers as read_ipsec_server_list, vpn_connections as read_connection_list,
};
