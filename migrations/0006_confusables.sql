CREATE TABLE `confusables` (
	`char` text PRIMARY KEY NOT NULL,
	`prototype` text NOT NULL
);
