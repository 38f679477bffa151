using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Validation;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Handlers;

public enum Access
{
    Read,
    Write,
}
