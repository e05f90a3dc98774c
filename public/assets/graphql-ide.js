// Starts GraphiQL on GET /graphql, after React, ReactDOM and GraphiQL's UMD
// builds (copied from node_modules by scripts/docs-assets.mjs). Everything it
// loads and every request it sends stays on this origin. `?query=`,
// `?variables=` and `?operationName=` in the address fill the editors. Tabs
// and headers (the Authorization token with them) are kept in sessionStorage,
// not GraphiQL's default localStorage: they survive a reload, not the tab.
(() => {
  const root = document.getElementById("graphiql");
  if (!root || !window.GraphiQL || !window.React || !window.ReactDOM) return;
  const params = new URLSearchParams(window.location.search);
  const defaultQuery = `# Conduit over GraphQL. To sign in, run Login, then add the header
# {"Authorization": "Token <token>"} in the Headers tab below.

query Articles($after: String) {
  articles(first: 5, after: $after) {
    totalCount
    edges {
      cursor
      node {
        slug
        title
        tagList
        favoritesCount
        author { username }
        comments { body author { username } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}

mutation Login {
  login(input: { email: "demo@conduit.local", password: "conduit-demo" }) {
    username
    token
  }
}
`;
  const fetcher = window.GraphiQL.createFetcher({ url: root.dataset.endpoint || "/graphql", enableIncrementalDelivery: false });
  window.ReactDOM.createRoot(root).render(
    window.React.createElement(window.GraphiQL, {
      fetcher,
      defaultQuery,
      query: params.get("query") ?? undefined,
      variables: params.get("variables") ?? undefined,
      operationName: params.get("operationName") ?? undefined,
      storage: window.sessionStorage,
      shouldPersistHeaders: true,
      defaultEditorToolsVisibility: "headers",
    }),
  );
})();
