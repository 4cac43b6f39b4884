-- The image a task really ran when it differs from the one it named (an admin's alias, a pulled image pinned by digest).
ALTER TABLE "Task" ADD COLUMN "resolvedImage" TEXT;
