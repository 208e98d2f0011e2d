/** Layering of ARCHITECTURE.md: imports go downward only, and no cycles. */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: {}, to: { circular: true } },
    {
      name: "sip-is-protocol-only",
      comment: "src/sip knows nothing of users, dialplans, state or the admin API",
      severity: "error",
      from: { path: "^src/sip/" },
      to: { path: "^src/(pbx|dialplan|state|cluster|admin|server|cli|config)/" },
    },
    {
      name: "dialplan-is-pure",
      severity: "error",
      from: { path: "^src/dialplan/" },
      to: { path: "^src/(sip|pbx|state|cluster|admin|server|cli)/|^(node:)?(fs|net|dgram|tls|http|https)$" },
    },
    {
      name: "nothing-imports-admin",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(admin|cli|server)/" },
      to: { path: "^src/admin/" },
    },
    {
      name: "nothing-imports-the-cli",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
  },
};
