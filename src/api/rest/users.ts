import * as users from "../../domain/users";
import * as responses from "./responses";
import { restRoute } from "./route";
import { LoginBody, RegisterBody, UpdateUserBody } from "./schemas";

export const userRoutes = [
  restRoute({
    operationId: "Login",
    method: "post",
    path: "/users/login",
    tag: "User and Authentication",
    summary: "Existing user login",
    auth: "none",
    body: { schema: LoginBody },
    success: { status: 200, schema: responses.UserResponse },
    doc: OPENAPI && {
      description:
        'Returns the user with a fresh token. A wrong email or password is a 401 `{"errors":{"email or password":["is invalid"]}}`.',
      answer: "The user, with a token",
      body: { description: "Credentials to use", example: { user: { email: "demo@conduit.local", password: "conduit-demo" } } },
      errors: [],
    },
    handle: async (ctx, { body }) => ({ user: await users.login(ctx, body.user) }),
  }),
  restRoute({
    operationId: "CreateUser",
    method: "post",
    path: "/users",
    tag: "User and Authentication",
    summary: "Register",
    auth: "none",
    body: { schema: RegisterBody },
    success: { status: 201, schema: responses.UserResponse },
    doc: OPENAPI && {
      description:
        "Registers a new user. Usernames and emails are unique case-insensitively; a taken one is a 422 naming the field. " +
        "Usernames are stored NFKC-normalised: letters, marks and digits of one script (or Latin with Han and kana, Han and Hangul, " +
        "Han and Bopomofo), `_`, `.` and `-`; nothing invisible, no bidi controls, not a reserved name such as `me` or `admin`, and " +
        'not a name that looks like one already taken (`"looks too much like a username that is already taken"`). ' +
        "A password may not be blank, equal to the email or username, or one of the 10,000 most common passwords.",
      answer: "The new user, with a token",
      body: {
        description: "Details of the new user to register",
        example: { user: { username: "jacob", email: "jake@jake.jake", password: "jakejakejake" } },
      },
      errors: [],
    },
    handle: async (ctx, { body }) => ({ user: await users.register(ctx, body.user) }),
  }),
  restRoute({
    operationId: "GetCurrentUser",
    method: "get",
    path: "/user",
    tag: "User and Authentication",
    summary: "Get current user",
    auth: "required",
    success: { status: 200, schema: responses.UserResponse },
    doc: OPENAPI && { description: "The signed-in user, with the token that was sent.", answer: "The current user", errors: [] },
    handle: async (ctx) => ({ user: await users.currentUser(ctx) }),
  }),
  restRoute({
    operationId: "UpdateCurrentUser",
    method: "put",
    path: "/user",
    tag: "User and Authentication",
    summary: "Update current user",
    auth: "required",
    body: { schema: UpdateUserBody },
    success: { status: 200, schema: responses.UserResponse },
    doc: OPENAPI && {
      description:
        'Changes any of email, username, password, bio, image (at least one). `""` or `null` clears bio and image. ' +
        "A password or email change revokes every earlier token; the answer carries a fresh one. Changing either counts against " +
        "the login rate limits. Optional `currentPassword` (not in the RealWorld contract): when given, it must be the account's " +
        'password (`{"errors":{"currentPassword":["is not your password"]}}` otherwise). Usernames and passwords follow the rules of Register.',
      answer: "The updated user",
      body: {
        description: "User details to update. At least **one** field is required.",
        example: { user: { bio: "I like to skateboard", image: "https://i.stack.imgur.com/xHWG8.jpg" } },
        invalid: { image: ["must be an http(s) URL"] },
      },
      errors: [],
    },
    handle: async (ctx, { body }) => ({ user: await users.updateUser(ctx, body.user) }),
  }),
  restRoute({
    operationId: "LogOutEverywhere",
    method: "post",
    path: "/user/logout",
    tag: "User and Authentication",
    summary: "Log out everywhere",
    auth: "required",
    success: { status: 204 },
    doc: OPENAPI && {
      description:
        "Not in the RealWorld contract. Revokes every token of the account, the one sent included; log in again for a new one.",
      answer: "Every token of the account is revoked",
      errors: [],
    },
    handle: (ctx) => users.logOutEverywhere(ctx),
  }),
];
