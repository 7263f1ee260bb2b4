// Hive Gateway configuration that turns on de-duplication of identical in-flight incoming requests.
export const gatewayConfig = { inboundInflightRequestDeduplication: true };
