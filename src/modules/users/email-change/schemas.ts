// Request schema of POST /v1/users/me/email.
import { Type } from 'typebox';
import { Email } from '../../auth/index.ts';

export const ChangeEmailBody = Type.Object({ new_email: Email }, { additionalProperties: false });
