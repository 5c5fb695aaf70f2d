run-1 R*
openai* aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa