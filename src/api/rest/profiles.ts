import * as profiles from "../../domain/profiles";
import * as responses from "./responses";
import { restRoute } from "./route";
import { followSelf, profileNotFound } from "./route-errors";

/** A profile: where a feed entry's author links to. */
export const getProfileRoute = restRoute({
  operationId: "GetProfileByUsername",
  method: "get",
  path: "/profiles/:username",
  tag: "Profile",
  summary: "Get a profile",
  auth: "optional",
  cache: "public",
  success: { status: 200, schema: responses.ProfileResponse },
  doc: OPENAPI && {
    description: "A user's public profile; `following` says whether the caller follows them. Auth is optional.",
    answer: "The profile",
    errors: [profileNotFound],
  },
  handle: async (ctx, { params }) => ({ profile: await profiles.getProfile(ctx, params.username) }),
});

export const profileRoutes = [
  getProfileRoute,
  restRoute({
    operationId: "FollowUserByUsername",
    method: "post",
    path: "/profiles/:username/follow",
    tag: "Profile",
    summary: "Follow a user",
    auth: "required",
    success: { status: 200, schema: responses.ProfileResponse },
    doc: OPENAPI && {
      description: "Idempotent: following twice is the same as once.",
      answer: "The followed profile",
      errors: [profileNotFound, followSelf],
    },
    handle: async (ctx, { params }) => ({ profile: await profiles.setFollowing(ctx, params.username, true) }),
  }),
  restRoute({
    operationId: "UnfollowUserByUsername",
    method: "delete",
    path: "/profiles/:username/follow",
    tag: "Profile",
    summary: "Unfollow a user",
    auth: "required",
    success: { status: 200, schema: responses.ProfileResponse },
    doc: OPENAPI && {
      description: "Idempotent: unfollowing someone you do not follow changes nothing.",
      answer: "The unfollowed profile",
      errors: [profileNotFound, followSelf],
    },
    handle: async (ctx, { params }) => ({ profile: await profiles.setFollowing(ctx, params.username, false) }),
  }),
];
