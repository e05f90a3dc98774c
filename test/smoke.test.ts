import { describe, expect, it } from "vitest";
import { call, createArticle, registerUser } from "./support/api";

describe("smoke", () => {
  it("registers, creates and lists", async () => {
    const user = await registerUser();
    const a = await createArticle(user, { title: "Hello World", tagList: ["b", "a"] });
    const list = await call("GET", "/api/articles");
    console.log(JSON.stringify(a), JSON.stringify(list.body), list.headers.get("content-type"));
    expect(list.status).toBe(200);
  });
});
