-- Demo data for local development (npm run dev). Idempotent: every insert is
-- INSERT OR IGNORE against a unique key, so re-running changes nothing.
-- Every demo account's password is "conduit-demo" (hashed in today's format,
-- src/domain/password.ts). username_skeleton is the name's skeleton
-- (src/db/skeleton.ts): "demo" looks like "derno".

INSERT OR IGNORE INTO users (username, username_key, username_skeleton, email, email_key, password_hash, bio, image, token_version, created_at, updated_at) VALUES
  ('jake', 'jake', 'jake', 'jake@conduit.local', 'jake@conduit.local', 'pbkdf2-sha256$100000x6$styya6Q_xkENezpGqZm5Xw$3QjuAJh1eX2Cr37Mqf98dX3DWI-jhzhdwwhVoWKO9H4', 'I work at statefarm', 'https://api.realworld.io/images/smiley-cyrus.jpeg', 0, 1735689600000, 1735689600000),
  ('ada', 'ada', 'ada', 'ada@conduit.local', 'ada@conduit.local', 'pbkdf2-sha256$100000x6$styya6Q_xkENezpGqZm5Xw$3QjuAJh1eX2Cr37Mqf98dX3DWI-jhzhdwwhVoWKO9H4', 'Analytical engines and other machines', NULL, 0, 1735689600000, 1735689600000),
  ('demo', 'demo', 'derno', 'demo@conduit.local', 'demo@conduit.local', 'pbkdf2-sha256$100000x6$styya6Q_xkENezpGqZm5Xw$3QjuAJh1eX2Cr37Mqf98dX3DWI-jhzhdwwhVoWKO9H4', NULL, NULL, 0, 1735689600000, 1735689600000);

INSERT OR IGNORE INTO articles (slug, title, description, body, author_id, favorites_count, created_at, updated_at) VALUES
  ('how-to-train-your-dragon', 'How to train your dragon', 'Ever wonder how?', 'You have to believe in yourself, and feed it well.', (SELECT id FROM users WHERE username_key = 'jake'), 0, 1735776000000, 1735776000000),
  ('edge-computing-in-practice', 'Edge computing in practice', 'Latency is a feature', 'Serve the hot path from the edge and keep the database close to your writes.', (SELECT id FROM users WHERE username_key = 'ada'), 0, 1735862400000, 1735862400000),
  ('notes-on-the-analytical-engine', 'Notes on the analytical engine', 'Note G, revisited', 'The engine weaves algebraic patterns just as the Jacquard loom weaves flowers and leaves.', (SELECT id FROM users WHERE username_key = 'ada'), 0, 1735948800000, 1735948800000),
  ('你好-世界', '你好 世界', 'Titles in any script get a usable slug', 'Slugs keep letters of every script.', (SELECT id FROM users WHERE username_key = 'demo'), 0, 1736035200000, 1736035200000);

INSERT OR IGNORE INTO article_tags (article_id, tag, position) VALUES
  ((SELECT id FROM articles WHERE slug = 'how-to-train-your-dragon'), 'dragons', 0),
  ((SELECT id FROM articles WHERE slug = 'how-to-train-your-dragon'), 'training', 1),
  ((SELECT id FROM articles WHERE slug = 'edge-computing-in-practice'), 'edge', 0),
  ((SELECT id FROM articles WHERE slug = 'edge-computing-in-practice'), 'cloudflare', 1),
  ((SELECT id FROM articles WHERE slug = 'notes-on-the-analytical-engine'), 'history', 0),
  ((SELECT id FROM articles WHERE slug = 'notes-on-the-analytical-engine'), 'edge', 1),
  ((SELECT id FROM articles WHERE slug = '你好-世界'), 'unicode', 0);

INSERT OR IGNORE INTO follows (follower_id, followee_id) VALUES
  ((SELECT id FROM users WHERE username_key = 'demo'), (SELECT id FROM users WHERE username_key = 'jake')),
  ((SELECT id FROM users WHERE username_key = 'demo'), (SELECT id FROM users WHERE username_key = 'ada'));

INSERT OR IGNORE INTO favorites (user_id, article_id) VALUES
  ((SELECT id FROM users WHERE username_key = 'demo'), (SELECT id FROM articles WHERE slug = 'edge-computing-in-practice')),
  ((SELECT id FROM users WHERE username_key = 'jake'), (SELECT id FROM articles WHERE slug = 'edge-computing-in-practice')),
  ((SELECT id FROM users WHERE username_key = 'ada'), (SELECT id FROM articles WHERE slug = 'how-to-train-your-dragon'));

INSERT INTO comments (article_id, author_id, body, created_at, updated_at)
  SELECT (SELECT id FROM articles WHERE slug = 'how-to-train-your-dragon'), (SELECT id FROM users WHERE username_key = 'ada'), 'Does this work for wyverns too?', 1736121600000, 1736121600000
  WHERE NOT EXISTS (SELECT 1 FROM comments WHERE created_at = 1736121600000);
INSERT INTO comments (article_id, author_id, body, created_at, updated_at)
  SELECT (SELECT id FROM articles WHERE slug = 'edge-computing-in-practice'), (SELECT id FROM users WHERE username_key = 'jake'), 'Great write-up.', 1736208000000, 1736208000000
  WHERE NOT EXISTS (SELECT 1 FROM comments WHERE created_at = 1736208000000);

UPDATE articles SET favorites_count = (SELECT count(*) FROM favorites WHERE favorites.article_id = articles.id);
