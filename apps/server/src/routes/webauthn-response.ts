import { Type, type Static } from 'typebox';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';

/** A WebAuthn credential answer as browsers serialize it (PublicKeyCredential.toJSON(), W3C WebAuthn Level 3 §5.1). */
export const WebAuthnResponse = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 1024 }),
  rawId: Type.String({ minLength: 1, maxLength: 1024 }),
  type: Type.Literal('public-key'),
  response: Type.Record(Type.String({ maxLength: 64 }), Type.Unknown()),
  clientExtensionResults: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Unknown())),
  authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
}, { additionalProperties: false });

/** The `webauthn` member of an MFA body as the library's type (the schema checked its shape). */
export function assertionOf(value: Static<typeof WebAuthnResponse>): AuthenticationResponseJSON {
  return value as unknown as AuthenticationResponseJSON;
}
