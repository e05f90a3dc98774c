// A username's confusable skeleton, computed in SQL from table `confusables`
// (src/db/schema.ts; rows from scripts/confusables.mjs): the name's NFKD
// characters, each replaced by its row's prototype when it has one, in order.
// Names that look alike share it (README, "Security"). This module imports
// nothing: scripts/upgrade-accounts.mjs uses the same SQL.

/** The characters the skeleton is computed over, as the JSON array bound at `?` in SKELETON_SQL. */
export const skeletonInput = (username: string): string => JSON.stringify([...username.normalize("NFKD")]);

/** A scalar subquery: the skeleton of the JSON array of characters bound at its one `?`. */
export const SKELETON_SQL =
  "(SELECT group_concat(coalesce(`confusables`.`prototype`, `name`.`value`), '' ORDER BY `name`.`key`) FROM json_each(?) AS `name` LEFT JOIN `confusables` ON `confusables`.`char` = `name`.`value`)";
