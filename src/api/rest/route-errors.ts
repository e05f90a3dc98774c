import { LIMITS } from "../../domain/inputs";
import type { RouteErrorDoc } from "./route";

// Failures that several routes document alike.

export const articleNotFound: RouteErrorDoc = {
  status: 404,
  description: "No article has this slug.",
  example: { body: ["article not found"] },
};

export const profileNotFound: RouteErrorDoc = {
  status: 404,
  description: "No user has this username.",
  example: { body: ["profile not found"] },
};

export const notTheAuthor = (what: string): RouteErrorDoc => ({
  status: 403,
  description: `Only the author can ${what}.`,
  example: { body: [`only the author can ${what}`] },
});

export const followSelf: RouteErrorDoc = {
  status: 422,
  description: "You cannot follow (or unfollow) yourself.",
  example: { username: ["is your own: you cannot follow yourself"] },
};

export const badTag: RouteErrorDoc = {
  status: 422,
  description: `\`tag\` is longer than ${LIMITS.filter} characters, or contains NUL.`,
  example: { tag: ["is too long"] },
};

export const badPage: RouteErrorDoc = {
  status: 422,
  description:
    "`limit` or `offset` is not an integer in range, a cursor (`after`, `before`) is not one this list gave, or a cursor comes with `offset` or the other cursor.",
  example: { limit: ["must be at most 100"] },
};
