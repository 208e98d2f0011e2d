/**
 * The schema of `config/users.yaml`: the organisations sharing the network and
 * their users. Credentials are HA1 digests (RFC 7616 §3.4.2) made for `realm`,
 * never passwords: `strowger users import` turns a CSV's passwords into them.
 */
import { Type, type Static } from "@sinclair/typebox";

const Name = Type.String({ minLength: 1, maxLength: 64, pattern: "^[a-z0-9][a-z0-9_-]*$" });

export const UserSchema = Type.Object(
  {
    /** The short code dialled inside the network; also the digest username. */
    extension: Type.String({ pattern: "^[0-9]{2,8}$" }),
    /** The full public number (E.164, e.g. +441785276001), when the user has one. */
    ddi: Type.Optional(Type.String({ pattern: "^\\+[1-9][0-9]{6,14}$" })),
    name: Type.String({ minLength: 1, maxLength: 128 }),
    organisation: Name,
    site: Name,
    /** Class of service: names the dialplan context the user's calls start in. */
    class: Name,
    ha1: Type.Object(
      {
        md5: Type.String({ pattern: "^[0-9a-f]{32}$" }),
        sha256: Type.String({ pattern: "^[0-9a-f]{64}$" }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const DirectorySchema = Type.Object(
  {
    /** The digest realm the HA1s were made for; it must be the node's domain. */
    realm: Type.String({ minLength: 1 }),
    organisations: Type.Array(Name, { minItems: 1, uniqueItems: true }),
    users: Type.Array(UserSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export type User = Static<typeof UserSchema>;
export type DirectoryFile = Static<typeof DirectorySchema>;
